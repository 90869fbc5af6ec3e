/**
  * Usage reports computed in Postgres: public.usage_report(group_by, since, until) returns
  * totals (tokens, requests, rows) per group with the names a report shows, instead of
  * clients paging the raw log and adding it up.
  *
  * It is security invoker: it reads ai_model_usage, profiles and organizations under the
  * caller's own row level security, so it reports exactly what the caller may read. A user
  * gets their own usage, an admin their organization's, a superadmin everybody's; there is
  * no second rule to keep in step with the policies.
  */

/**
  * -------------------------------------------------------
  * Section - Usage report
  * -------------------------------------------------------
  */

/**
  * Totals of the usage rows the caller may read, recorded in [since, until) (a null bound is
  * open), grouped by:
  *   model       model_id, model_name
  *   user        user_id, user_name
  *   day         day (UTC date of created_at)
  *   model_user  model_id, model_name, user_id, user_name
  *   org         organization_id, organization_name
  * Columns a grouping does not use are null. model_name is the name the model was last
  * recorded under (the log keeps names as they were); user_name is the profile's display
  * name (null when unset, or for a deleted user's tombstone). Anything else in group_by, or
  * since after until, is refused AM009.
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
  -- An open bound is +-infinity, held in variables: the query compares created_at with plain
  -- parameters, which the index conditions take (a coalesce() in the query itself was left
  -- to a filter, so an admin's month read the org's whole history).
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

  return query
  with grouped as (
    select
      case when by_org then u.organization_id end as organization_id,
      case when by_model then u.model_id end as model_id,
      case when by_user then u.user_id end as user_id,
      case when by_day then (u.created_at at time zone 'UTC')::date end as day,
      -- Collected only when reported: an ordered aggregate sorts each group's rows.
      (array_agg(u.model_name order by u.created_at desc) filter (where by_model))[1]
        as last_model_name,
      sum(u.tokens_used)::bigint as tokens,
      sum(u.requests_count)::bigint as requests,
      count(*)::bigint as records
    from public.ai_model_usage u
    where u.created_at >= range_start
      and u.created_at < range_end
    group by 1, 2, 3, 4
  )
  -- Names only for the groups reported, each one primary-key lookup under the caller's RLS
  -- (a join would read every profile the caller may see).
  select
    g.organization_id,
    case when by_org then (select o.name from public.organizations o where o.id = g.organization_id) end,
    g.model_id,
    g.last_model_name,
    g.user_id,
    case when by_user then (select p.display_name from public.profiles p where p.id = g.user_id) end,
    g.day,
    g.tokens,
    g.requests,
    g.records
  from grouped g
  order by g.day, 2, 4, 6, g.organization_id, g.model_id, g.user_id;
end;
$$;

revoke execute on function public.usage_report(text, timestamptz, timestamptz) from public, anon;
grant execute on function public.usage_report(text, timestamptz, timestamptz) to authenticated, service_role;
