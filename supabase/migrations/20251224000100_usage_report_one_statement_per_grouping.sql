/**
  * usage_report() runs a statement written for each grouping, parsed once per session.
  *
  * The report assembled its query's text at every call (`return query execute format(...)`,
  * 20251207000100 and 20251217000100), so every call parsed, analysed, rewrote (the
  * policies included) and planned it. Where the range holds few rows, that fixed cost is a
  * good share of the call: an admin's month by user at small wide ran 1.25-1.29x the owner's
  * hand-written query, the closest of the hot reads to its 1.25x limit (BENCHMARKS.md).
  *
  * Now each of the five groupings is a statement of its own in the function's text, with the
  * same keys, columns, order and name lookups as the query it replaces. plpgsql prepares a
  * statement the first time a session runs it and keeps it; the function plans each call
  * with its range (`plan_cache_mode = force_custom_plan`), since a generic plan would guess
  * the range and read an admin's month by a plan made for any range. Same rows, same order,
  * same refusals.
  *
  * tests: pgTAP 41 (planned for each call's range past the fifth call; totals);
  * tests/database/test_usage_report_plan.py (each grouping's aggregate and sort keys);
  * pgTAP 18 (rows, order, refusals).
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
  set plan_cache_mode = force_custom_plan
as $$
declare
  -- An open bound is +-infinity: the statements compare created_at with plain values, which
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

  -- Each statement groups the range's rows by the grouping's own keys in a materialized CTE
  -- (planned by itself, so the grouping hashes rather than sorting for the report's order),
  -- then looks up the names of the groups reported, one primary-key lookup each under the
  -- caller's policies (a join would read every row the caller may see).
  if usage_report.group_by = 'org' then
    return query
      with grouped as materialized (
        select u.organization_id,
          sum(u.tokens_used)::bigint as tokens, sum(u.requests_count)::bigint as requests,
          count(*)::bigint as records
        from public.ai_model_usage u
        where u.created_at >= range_start and u.created_at < range_end
        group by u.organization_id
      )
      select g.organization_id,
        (select o.name from public.organizations o where o.id = g.organization_id),
        null::uuid, null::text, null::uuid, null::text, null::date,
        g.tokens, g.requests, g.records
      from grouped g
      order by 2, 1;
  elsif usage_report.group_by = 'model' then
    return query
      with grouped as materialized (
        select u.model_id,
          -- An ordered aggregate sorts each group's rows: only where the model's name is
          -- reported.
          (array_agg(u.model_name order by u.created_at desc))[1] as last_model_name,
          sum(u.tokens_used)::bigint as tokens, sum(u.requests_count)::bigint as requests,
          count(*)::bigint as records
        from public.ai_model_usage u
        where u.created_at >= range_start and u.created_at < range_end
        group by u.model_id
      )
      select null::uuid, null::text, g.model_id, g.last_model_name, null::uuid, null::text,
        null::date, g.tokens, g.requests, g.records
      from grouped g
      order by 4, 3;
  elsif usage_report.group_by = 'user' then
    return query
      with grouped as materialized (
        select u.user_id,
          sum(u.tokens_used)::bigint as tokens, sum(u.requests_count)::bigint as requests,
          count(*)::bigint as records
        from public.ai_model_usage u
        where u.created_at >= range_start and u.created_at < range_end
        group by u.user_id
      )
      select null::uuid, null::text, null::uuid, null::text, g.user_id,
        (select p.display_name from public.profiles p where p.id = g.user_id),
        null::date, g.tokens, g.requests, g.records
      from grouped g
      order by 6, 5;
  elsif usage_report.group_by = 'model_user' then
    return query
      with grouped as materialized (
        select u.model_id,
          (array_agg(u.model_name order by u.created_at desc))[1] as last_model_name,
          u.user_id,
          sum(u.tokens_used)::bigint as tokens, sum(u.requests_count)::bigint as requests,
          count(*)::bigint as records
        from public.ai_model_usage u
        where u.created_at >= range_start and u.created_at < range_end
        group by u.model_id, u.user_id
      )
      select null::uuid, null::text, g.model_id, g.last_model_name, g.user_id,
        (select p.display_name from public.profiles p where p.id = g.user_id),
        null::date, g.tokens, g.requests, g.records
      from grouped g
      order by 4, 6, 3, 5;
  else -- 'day'
    return query
      with grouped as materialized (
        select (u.created_at at time zone 'UTC')::date as day,
          sum(u.tokens_used)::bigint as tokens, sum(u.requests_count)::bigint as requests,
          count(*)::bigint as records
        from public.ai_model_usage u
        where u.created_at >= range_start and u.created_at < range_end
        group by 1
      )
      select null::uuid, null::text, null::uuid, null::text, null::uuid, null::text,
        g.day, g.tokens, g.requests, g.records
      from grouped g
      order by 7;
  end if;
end;
$$;
