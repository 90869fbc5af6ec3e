/**
  * usage_report() plans its query for each call's arguments.
  *
  * The report runs one query whose grouping (by model, user, day, model and user, or
  * organization) and date range are plpgsql variables, so they reach the planner as
  * parameters. plpgsql keeps each statement's plan, and after five calls Postgres may settle
  * on a generic plan: one plan for any grouping and any range, which groups by computed
  * expressions and guesses the range at 0.5% of the log. An admin's monthly report by user
  * then read the month by created_at and filtered the read policy's arms row by row, where a
  * plan for the call's own values reads the organization's range of (organization_id,
  * created_at) and groups by user_id alone (BENCHMARKS.md has the figures). Planning each
  * call costs a fraction of a millisecond against a report's several.
  *
  * Only here: the reads through the table keep Postgres's choice. Forcing custom plans for
  * the whole `authenticated` role was measured and rejected: it helped an admin's month,
  * hurt a superadmin's day, and re-planned every statement inside record_usage() (nearly
  * twice its cost) unless each write function opted out again.
  */

alter function public.usage_report(text, timestamptz, timestamptz)
  set plan_cache_mode = 'force_custom_plan';
