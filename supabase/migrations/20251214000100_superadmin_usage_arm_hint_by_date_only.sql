/**
  * The usage read policy's superadmin arm carries its planner hint on a column that only a
  * date index holds, so no index can serve the arm except by its date.
  *
  * The arm is the date, `created_at > (select private.superadmin_usage_since())`, plus a
  * range that is always true and only tells the planner the arm is narrow (so users' and
  * admins' plans stay on their own indexes), with an index on (created_at, <hint column>)
  * that serves every condition of the arm. The range was over `model_id`, which leads no
  * index (20251212000100_superadmin_usage_arm_by_date_alone). But model_id is the second
  * column of (user_id, model_id, created_at): when a read also names the user, as the
  * client's read of a user's own history does (`user_id = me` and a window), that index
  * served the arm with the user's id leading and the hint's range next, where the arm's
  * date bounds nothing: every entry of the user's whole history read to find none. On the
  * large bench data a user's first page of the period, as the client asks for it, ran
  * 14.8-19.6 ms where the owner's same statement ran 4.2-12.1 ms (wide), and 36.2 ms
  * against 2.0 ms (skewed); with this migration 9.4-13.0 ms and 19.3 ms (BENCHMARKS.md).
  *
  *   - The hint ranges over `tokens_used` instead: a not-null integer, across the integer's
  *     whole range (always true), that no other index holds.
  *   - The index on (created_at, tokens_used) replaces the one on (created_at, model_id):
  *     it serves every condition of the arm, and it leads with the date, which for anyone
  *     but a superadmin starts past every row ('infinity'), so the arm's scan is empty.
  *     Without such an index the arm looked wide (its hint checked row by row), and
  *     users' and admins' reads fell back to every row of the window, filtered: a user's
  *     own usage at small wide went from 1.9-2.2x to 6.5-6.7x the owner's (measured, not
  *     kept; BENCHMARKS.md).
  *
  * tests/database/test_usage_read_superadmin_plan.py checks the plans (a superadmin's day
  * and month; a user's and an admin's own rows by date, with the log's statistics as at
  * the large scale).
  */

/**
  * -------------------------------------------------------
  * Section - The arm's index
  * -------------------------------------------------------
  */

create index ai_model_usage_created_tokens_idx
  on public.ai_model_usage (created_at, tokens_used);

/**
  * -------------------------------------------------------
  * Section - Read policy
  * -------------------------------------------------------
  */

alter policy "superadmins, org admins and users can read usage"
  on public.ai_model_usage
  using (
    user_id = (select private.caller_id())
    or organization_id = (select private.administered_org_id())
    or (
      created_at > (select private.superadmin_usage_since())
      -- Always true; tell the planner this arm is narrow (see the header).
      and created_at < (select 'infinity'::timestamptz)
      and tokens_used >= (select (-2147483648)::integer)
      and tokens_used <= (select 2147483647::integer)
    )
  );

drop index public.ai_model_usage_created_model_idx;
