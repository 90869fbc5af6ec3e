-- Schema changes proposed by the benchmarks (issue 7), for the lead to fold into
-- supabase/migrations. `aimodels bench propose --scale S` applies them to the throwaway
-- bench database only, so `aimodels bench run` can show the figures with them.

-- 1. A day or month of everybody's usage (the superadmin report, the lazy reset sweep):
--    without it every date-range read of the log scans a whole index or the table.
create index if not exists ai_model_usage_created_at_idx
  on public.ai_model_usage (created_at);

-- 2. Usage read policy in a shape the planner can index: two arms, each a plain
--    comparison on the leading column of an index, so the planner builds a BitmapOr from
--    the (user_id, model_id, created_at) and (organization_id, created_at) indexes, each
--    narrowed by the query's own created_at range. The migration's
--    `... or (select private.is_superadmin()) or ...` arm is a bare boolean: no index can
--    serve it, so every read of the log by a user or an admin read the whole table (or a
--    whole index). A superadmin's scope becomes "every organization": one index probe
--    per organization (see BENCHMARKS.md for what that costs at 10k organizations).
create or replace function private.readable_usage_org_ids()
  returns uuid[]
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select case
    when private.is_superadmin() then
      (select coalesce(array_agg(o.id), '{}') from public.organizations o)
    when private.current_user_role() = 'admin' then array[private.current_org_id()]
    else '{}'::uuid[]
  end
$$;
revoke execute on function private.readable_usage_org_ids() from public;
grant execute on function private.readable_usage_org_ids() to authenticated, service_role;

drop policy if exists "superadmins, org admins and users can read usage" on public.ai_model_usage;
create policy "superadmins, org admins and users can read usage"
  on public.ai_model_usage
  for select
  to authenticated
  using (
    user_id = (select auth.uid())
    -- The cast keeps `= any (...)` an array comparison, not a subquery.
    or organization_id = any ((select private.readable_usage_org_ids())::uuid[])
  );

-- The admin's org id, or null: used by the catalog policy below.
create or replace function private.current_admin_org_id()
  returns uuid
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select p.organization_id from public.profiles p
  where p.id = (select auth.uid()) and p.role = 'admin'
$$;
revoke execute on function private.current_admin_org_id() from public;
grant execute on function private.current_admin_org_id() to authenticated, service_role;

-- 3. Catalog read policy evaluated once per statement, not once per model row: the rules
--    as set-returning functions (one query each), probed through a hashed subplan.
--    is_model_usable_by_user() per row cost ~0.3 ms a model (four nested definer calls,
--    each saving and restoring search_path).
create or replace function private.visible_model_ids(organization_id uuid)
  returns setof uuid
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select m.id
  from public.organizations o
  join public.ai_models_system m
    on m.is_active
   and (m.organization_types = '{}' or o.type = any (m.organization_types))
   and private.plan_rank(o.pricing_plan) >= private.plan_rank(m.required_plan)
  where o.id = visible_model_ids.organization_id
$$;
revoke execute on function private.visible_model_ids(uuid) from public;
grant execute on function private.visible_model_ids(uuid) to authenticated, service_role;

create or replace function private.usable_model_ids(user_id uuid)
  returns setof uuid
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select v.id
  from public.profiles p
  cross join lateral private.visible_model_ids(p.organization_id) v(id)
  join public.org_system_model_config c
    on c.organization_id = p.organization_id
   and c.system_model_id = v.id
   and c.is_enabled_for_users
  join public.ai_models_system m on m.id = v.id
  left join private.org_model_first_enabled f
    on f.organization_id = p.organization_id and f.system_model_id = v.id
  where p.id = usable_model_ids.user_id
    and not coalesce(
      m.is_trial and f.first_enabled_at + make_interval(days => m.trial_expires_days) <= now(),
      false)
$$;
revoke execute on function private.usable_model_ids(uuid) from public;
grant execute on function private.usable_model_ids(uuid) to authenticated, service_role;

drop policy if exists "superadmins, admins and users can read the models they may see"
  on public.ai_models_system;
create policy "superadmins, admins and users can read the models they may see"
  on public.ai_models_system
  for select
  to authenticated
  using (
    (select private.is_superadmin())
    or id in (select private.visible_model_ids((select private.current_admin_org_id())))
    or id in (select private.usable_model_ids((select auth.uid())))
  );

-- 4. Recording cost independent of history: the per-user limit check reads one counter row
--    per (user, model, period) instead of summing every row of the period (twice per
--    record_usage: the admission and the receipt's quota_snapshot). The counter moves in
--    the same transaction as the insert; the admission already holds the organization's
--    row lock for every non-free recording, so counters of one org change one at a time.
--    Difference from the sum: rows are counted under the period they were recorded in, so
--    a superadmin changing a model's token_limit_period starts the new period at zero.
create table if not exists private.usage_period_totals (
  user_id uuid not null,
  model_id uuid not null,
  period_start timestamptz not null,
  period_end timestamptz not null,
  tokens bigint not null default 0,
  primary key (user_id, model_id, period_start, period_end)
);
revoke all on table private.usage_period_totals from public, anon, authenticated, service_role;

insert into private.usage_period_totals (user_id, model_id, period_start, period_end, tokens)
select u.user_id, u.model_id, u.period_start, u.period_end, sum(u.tokens_used)
from public.ai_model_usage u
group by u.user_id, u.model_id, u.period_start, u.period_end
on conflict do nothing;

create or replace function private.count_usage_in_period()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  insert into private.usage_period_totals as t
    (user_id, model_id, period_start, period_end, tokens)
  values (new.user_id, new.model_id, new.period_start, new.period_end, new.tokens_used)
  on conflict (user_id, model_id, period_start, period_end)
  do update set tokens = t.tokens + excluded.tokens;
  return null;
end;
$$;
revoke execute on function private.count_usage_in_period() from public;

drop trigger if exists ai_model_usage_count_in_period on public.ai_model_usage;
create trigger ai_model_usage_count_in_period
  after insert on public.ai_model_usage
  for each row execute function private.count_usage_in_period();

create or replace function private.user_tokens_used(
  user_id uuid,
  model_id uuid,
  period_start timestamptz,
  period_end timestamptz
)
  returns bigint
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select coalesce((
    select t.tokens
    from private.usage_period_totals t
    where t.user_id = user_tokens_used.user_id
      and t.model_id = user_tokens_used.model_id
      and t.period_start = user_tokens_used.period_start
      and t.period_end = user_tokens_used.period_end
  ), 0)::bigint
$$;

-- 5. The rule helpers the admission and the policies call, as plpgsql instead of sql.
--    A `language sql` function with SECURITY DEFINER or SET cannot be inlined, and its
--    statements are parsed and planned again on every call; a plpgsql function keeps its
--    plans for the session. Bodies unchanged (`#variable_conflict use_column` keeps the
--    sql resolution rule). In the migrations this is only `language sql` -> `language
--    plpgsql` and `begin return (...); end` (`return query` for set-returning ones)
--    around each body. Generated from the migrations with sections 1-4 applied.

CREATE OR REPLACE FUNCTION private.current_org_id()
 RETURNS uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select p.organization_id from public.profiles p where p.id = (select auth.uid())); end $function$;

CREATE OR REPLACE FUNCTION private.current_user_role()
 RETURNS text
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select p.role from public.profiles p where p.id = (select auth.uid())); end $function$;

CREATE OR REPLACE FUNCTION private.is_superadmin()
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select coalesce((select private.current_user_role()) = 'superadmin', false)); end $function$;

CREATE OR REPLACE FUNCTION private.is_org_admin(organization_id uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select exists (
    select 1
    from public.profiles p
    where p.id = (select auth.uid())
      and p.role = 'admin'
      and p.organization_id = is_org_admin.organization_id
  )); end $function$;

CREATE OR REPLACE FUNCTION private.is_model_visible_to_org(organization_id uuid, model_id uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select exists (
    select 1
    from public.ai_models_system m
    join public.organizations o on o.id = is_model_visible_to_org.organization_id
    where m.id = is_model_visible_to_org.model_id
      and m.is_active
      and (m.organization_types = '{}' or o.type = any (m.organization_types))
      and private.plan_rank(o.pricing_plan) >= private.plan_rank(m.required_plan)
  )); end $function$;

CREATE OR REPLACE FUNCTION private.is_model_enabled_for_org(organization_id uuid, model_id uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select exists (
    select 1
    from public.org_system_model_config c
    where c.organization_id = is_model_enabled_for_org.organization_id
      and c.system_model_id = is_model_enabled_for_org.model_id
      and c.is_enabled_for_users
  )); end $function$;

CREATE OR REPLACE FUNCTION private.trial_end(organization_id uuid, model_id uuid)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select f.first_enabled_at + make_interval(days => m.trial_expires_days)
  from public.ai_models_system m
  join private.org_model_first_enabled f
    on f.system_model_id = m.id
   and f.organization_id = trial_end.organization_id
  where m.id = trial_end.model_id
    and m.is_trial); end $function$;

CREATE OR REPLACE FUNCTION private.is_trial_expired(organization_id uuid, model_id uuid, at timestamp with time zone DEFAULT now())
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select coalesce(at >= private.trial_end(organization_id, model_id), false)); end $function$;

CREATE OR REPLACE FUNCTION private.effective_user_limit(organization_id uuid, model_id uuid)
 RETURNS bigint
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select case
    when m.is_free then null
    -- least() ignores nulls: an unset side never loosens the other.
    else least(m.token_limit_amount, c.token_limit_per_user)
  end
  from public.ai_models_system m
  left join public.org_system_model_config c
    on c.system_model_id = m.id
   and c.organization_id = effective_user_limit.organization_id
  where m.id = effective_user_limit.model_id); end $function$;

CREATE OR REPLACE FUNCTION private.user_tokens_used(user_id uuid, model_id uuid, period_start timestamp with time zone, period_end timestamp with time zone)
 RETURNS bigint
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select coalesce((
    select t.tokens
    from private.usage_period_totals t
    where t.user_id = user_tokens_used.user_id
      and t.model_id = user_tokens_used.model_id
      and t.period_start = user_tokens_used.period_start
      and t.period_end = user_tokens_used.period_end
  ), 0)::bigint); end $function$;

CREATE OR REPLACE FUNCTION private.is_privileged_writer()
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select current_user not in ('anon', 'authenticated', 'authenticator')
    or (select private.is_superadmin())); end $function$;

CREATE OR REPLACE FUNCTION private.readable_usage_org_ids()
 RETURNS uuid[]
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select case
    when private.is_superadmin() then
      (select coalesce(array_agg(o.id), '{}') from public.organizations o)
    when private.current_user_role() = 'admin' then array[private.current_org_id()]
    else '{}'::uuid[]
  end); end $function$;

CREATE OR REPLACE FUNCTION private.current_admin_org_id()
 RETURNS uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return (select p.organization_id from public.profiles p
  where p.id = (select auth.uid()) and p.role = 'admin'); end $function$;

CREATE OR REPLACE FUNCTION private.visible_model_ids(organization_id uuid)
 RETURNS SETOF uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return query select m.id
  from public.organizations o
  join public.ai_models_system m
    on m.is_active
   and (m.organization_types = '{}' or o.type = any (m.organization_types))
   and private.plan_rank(o.pricing_plan) >= private.plan_rank(m.required_plan)
  where o.id = visible_model_ids.organization_id; end $function$;

CREATE OR REPLACE FUNCTION private.usable_model_ids(user_id uuid)
 RETURNS SETOF uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$ #variable_conflict use_column
begin return query select v.id
  from public.profiles p
  cross join lateral private.visible_model_ids(p.organization_id) v(id)
  join public.org_system_model_config c
    on c.organization_id = p.organization_id
   and c.system_model_id = v.id
   and c.is_enabled_for_users
  join public.ai_models_system m on m.id = v.id
  left join private.org_model_first_enabled f
    on f.organization_id = p.organization_id and f.system_model_id = v.id
  where p.id = usable_model_ids.user_id
    and not coalesce(
      m.is_trial and f.first_enabled_at + make_interval(days => m.trial_expires_days) <= now(),
      false); end $function$;


-- 6. Settings read policy in one indexable arm. `(select private.is_superadmin()) or
--    organization_id = ...` is the bare-boolean OR of section 2 again: every read of
--    org_system_model_config (the admin's catalog screen) scanned all settings rows of all
--    organizations (41k at large). One `= any (scope)` arm uses the
--    (organization_id, system_model_id) unique index; a superadmin's scope is every org.
create or replace function private.member_org_ids()
  returns uuid[]
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  if private.is_superadmin() then
    return (select coalesce(array_agg(o.id), '{}') from public.organizations o);
  end if;
  return array_remove(array[private.current_org_id()], null);
end;
$$;
revoke execute on function private.member_org_ids() from public;
grant execute on function private.member_org_ids() to authenticated, service_role;

drop policy if exists "superadmins and members can read their organization's model settings"
  on public.org_system_model_config;
create policy "superadmins and members can read their organization's model settings"
  on public.org_system_model_config
  for select
  to authenticated
  using (organization_id = any ((select private.member_org_ids())::uuid[]));
