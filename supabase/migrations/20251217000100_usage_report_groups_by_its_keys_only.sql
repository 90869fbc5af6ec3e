/**
  * usage_report() groups by the report's own keys and carries only its own columns.
  *
  * The query written for a grouping (20251207000100_usage_report_plans_per_call) still
  * grouped by four columns whatever the grouping, those not reported as nulls
  * (`group by 1, 2, 3, 4` with `null::uuid as organization_id`), carried the five key and
  * name columns through the aggregate, and sorted the result by all seven of them. Postgres
  * keeps a constant in a GROUP BY: every row of the range was compared on four keys, and
  * the groups carried four more columns through the aggregate and the final sort. An
  * admin's month by user at small wide ran 1.55 ms against the owner's 0.82 ms
  * (BENCHMARKS.md).
  *
  * Now the grouped query selects and groups by the grouping's keys alone (and the latest
  * model name only when grouping by model); the columns not reported are nulls of the
  * result, outside the aggregate, and the order names the result's columns, so the sort
  * drops the constant ones. The grouped query is planned by itself (a materialized CTE):
  * planned with the report's order, a day's grouping sorted the range's rows to group them
  * in that order, taking the policy's estimate of them (1,302 for 21,237 at medium heavy,
  * 1.17x slower), where grouping alone hashes them. Same rows, same order, same refusals.
  *
  * tests: tests/database/test_usage_report_plan.py (each grouping's aggregate and sort
  * keys); pgTAP 18 and 41 (totals, order, refusals).
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
  set plan_cache_mode = auto
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
    with grouped as materialized (
      select
        %1$s,
        sum(u.tokens_used)::bigint as tokens,
        sum(u.requests_count)::bigint as requests,
        count(*)::bigint as records
      from public.ai_model_usage u
      where u.created_at >= $1
        and u.created_at < $2
      group by %2$s
    )
    -- Names only for the groups reported, each one primary-key lookup under the caller's RLS
    -- (a join would read every profile the caller may see).
    select %3$s, %4$s, %5$s, %6$s, %7$s, %8$s, %9$s, g.tokens, g.requests, g.records
    from grouped g
    order by 7, 2, 4, 6, 1, 3, 5
    $q$,
    -- The grouping's keys, the one or two it has, and the latest model name with the model.
    concat_ws(', ',
      case when by_org then 'u.organization_id' end,
      case when by_model then 'u.model_id' end,
      -- An ordered aggregate sorts each group's rows: only when the model's name is reported.
      case when by_model then '(array_agg(u.model_name order by u.created_at desc))[1]
        as last_model_name' end,
      case when by_user then 'u.user_id' end,
      case when by_day then '(u.created_at at time zone ''UTC'')::date as day' end),
    case when usage_report.group_by = 'model_user' then '1, 3' else '1' end,
    case when by_org then 'g.organization_id' else 'null::uuid' end,
    case when by_org
      then '(select o.name from public.organizations o where o.id = g.organization_id)'
      else 'null::text' end,
    case when by_model then 'g.model_id' else 'null::uuid' end,
    case when by_model then 'g.last_model_name' else 'null::text' end,
    case when by_user then 'g.user_id' else 'null::uuid' end,
    case when by_user
      then '(select p.display_name from public.profiles p where p.id = g.user_id)'
      else 'null::text' end,
    case when by_day then 'g.day' else 'null::date' end
  )
  using range_start, range_end;
end;
$$;
