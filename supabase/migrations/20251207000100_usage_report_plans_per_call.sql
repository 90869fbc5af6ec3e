/**
  * usage_report() runs a query written for the grouping asked for, planned for the call's
  * range.
  *
  * The report ran one query for every grouping: whether it grouped by model, user, day or
  * organization were plpgsql variables (`case when by_user then u.user_id end`), so they
  * reached the planner as parameters, with the date range. plpgsql keeps each statement's
  * plan, and after five calls Postgres may settle on a generic plan: one plan for any
  * grouping and range, which groups by computed expressions and guesses the range at 0.5%
  * of the log (an admin's month by user: 3.1x the owner's hand-written query at the small
  * scale, BENCHMARKS.md). And the latest model name of a group, an ordered aggregate, was in
  * the query for every grouping, where it keeps the planner from aggregating in parallel
  * workers (an admin's month of a heavy organization at the large scale: 2.5x, the owner's
  * query taking two workers besides).
  *
  * Now the query is written for the grouping (EXECUTE: planned at each call with the range
  * as parameters), with only its own columns: the ordered aggregate only when grouping by
  * model, a name lookup only for the names reported. The text is assembled from fixed
  * fragments chosen by group_by, which is checked against the five groupings first; no
  * argument is ever part of the text.
  */

create or replace function public.usage_report(
  group_by text,
  since timestamptz default null,
  until timestamptz default null
)
  returns table (
    organization_id uuid,
    organization_name text,
    model_id uuid,
    model_name text,
    user_id uuid,
    user_name text,
    day date,
    tokens bigint,
    requests bigint,
    records bigint
  )
  language plpgsql
  stable
  set search_path = ''
as $$
declare
  by_org boolean := usage_report.group_by = 'org';
  by_model boolean := usage_report.group_by in ('model', 'model_user');
  by_user boolean := usage_report.group_by in ('user', 'model_user');
  by_day boolean := usage_report.group_by = 'day';
  -- An open bound is +-infinity: the query compares created_at with plain parameters, which
  -- the index conditions take.
  range_start timestamptz := coalesce(usage_report.since, '-infinity');
  range_end timestamptz := coalesce(usage_report.until, 'infinity');
begin
  if usage_report.group_by is null
    or usage_report.group_by not in ('model', 'user', 'day', 'model_user', 'org')
  then
    perform private.refuse(
      'AM009',
      format('group_by must be one of model, user, day, model_user, org (got %s)',
        coalesce(quote_literal(usage_report.group_by), 'null')),
      null
    );
  end if;
  if usage_report.since > usage_report.until then
    perform private.refuse(
      'AM009', 'since must not be after until',
      format('since=%s until=%s', usage_report.since, usage_report.until)
    );
  end if;

  return query execute format(
    $q$
    with grouped as (
      select
        %1$s as organization_id,
        %2$s as model_id,
        %3$s as user_id,
        %4$s as day,
        %5$s as last_model_name,
        sum(u.tokens_used)::bigint as tokens,
        sum(u.requests_count)::bigint as requests,
        count(*)::bigint as records
      from public.ai_model_usage u
      where u.created_at >= $1
        and u.created_at < $2
      group by 1, 2, 3, 4
    )
    -- Names only for the groups reported, each one primary-key lookup under the caller's RLS
    -- (a join would read every profile the caller may see).
    select
      g.organization_id,
      %6$s,
      g.model_id,
      g.last_model_name,
      g.user_id,
      %7$s,
      g.day,
      g.tokens,
      g.requests,
      g.records
    from grouped g
    order by g.day, 2, 4, 6, g.organization_id, g.model_id, g.user_id
    $q$,
    case when by_org then 'u.organization_id' else 'null::uuid' end,
    case when by_model then 'u.model_id' else 'null::uuid' end,
    case when by_user then 'u.user_id' else 'null::uuid' end,
    case when by_day then '(u.created_at at time zone ''UTC'')::date' else 'null::date' end,
    -- An ordered aggregate sorts each group's rows: only when the model's name is reported.
    case when by_model then '(array_agg(u.model_name order by u.created_at desc))[1]'
      else 'null::text' end,
    case when by_org
      then '(select o.name from public.organizations o where o.id = g.organization_id)'
      else 'null::text' end,
    case when by_user
      then '(select p.display_name from public.profiles p where p.id = g.user_id)'
      else 'null::text' end
  )
  using range_start, range_end;
end;
$$;
