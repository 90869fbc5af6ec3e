/**
  * A Postgres role per kind of caller: admins and superadmins sign in as roles of their own.
  *
  * Every signed-in caller shared `authenticated`, so the usage log's and the holds' read
  * policies carried three arms (own rows, an administered organization, every organization
  * for a superadmin) for everyone, and a plain user's read was planned on every call
  * (`force_custom_plan`, 20251210000100), because a generic plan of the three arms read an
  * admin's month by date. A user's own usage at small wide took 343 us where the owner's
  * query took 121, half of it planning; the superadmin's day by the table sorted what it
  * could hash (BENCHMARKS.md).
  *
  * - `aimodels_admin` and `aimodels_superadmin`: members of `authenticated` (they inherit its
  *   grants and every policy written `to authenticated`), granted to `authenticator` (the API
  *   switches to the token's role), with `authenticated`'s statement timeout.
  * - The token's role follows the profile: a trigger keeps `auth.users.role` in step with
  *   `profiles.role` (GoTrue, and the local gateway, issue the `role` claim from that column).
  *   A promotion takes effect with the caller's next token. A demotion takes effect at once:
  *   the admin's arm still reads the profile, and the superadmin's read is gated by it. A role
  *   claim never grants more than the profile: a token carrying a role its profile does not
  *   hold reads no more than its profile allows.
  * - The usage log's and the holds' read policies: one arm per role. A plain user keeps
  *   `user_id = caller`; an admin adds `organization_id = administered org`; a superadmin
  *   reads everything, behind a restrictive gate on the profile (`x or true` folds the user's
  *   arm away, so the day's read plans as the owner's).
  * - Plans: plain users and superadmins take generic plans again (`plan_cache_mode = auto`):
  *   one arm each, which no generic plan reads by the wrong index. Admins keep
  *   `force_custom_plan`: theirs is the two-arm policy whose generic plan read a month by date.
  * - Triggers that tell the API's writes from platform code asked "is current_user one of
  *   anon, authenticated, authenticator"; a new API role would have passed for platform code.
  *   `private.is_api_role()` names the API's roles in one place, and both ask it.
  * - The superadmin arm's helpers (superadmin_usage_since(), superadmin_org_ids()) have no
  *   caller left and are dropped.
  *
  * tests: pgTAP 01 (the roles and who may switch to them), 47 (each role's plan mode),
  * 51 (the role follows the profile; a claim grants no more than the profile; the API roles).
  */

-- Roles are per cluster: a reset of one database finds them already there.
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'aimodels_admin') then
    create role aimodels_admin nologin inherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'aimodels_superadmin') then
    create role aimodels_superadmin nologin inherit;
  end if;
end;
$$;

grant authenticated to aimodels_admin, aimodels_superadmin;
grant aimodels_admin, aimodels_superadmin to authenticator;

-- A role's settings are not inherited: each role carries the platform's timeout for
-- signed-in requests (Supabase sets 8s on `authenticated`).
alter role aimodels_admin set statement_timeout = '8s';
alter role aimodels_superadmin set statement_timeout = '8s';
alter role aimodels_admin set plan_cache_mode = force_custom_plan;
alter role aimodels_superadmin set plan_cache_mode = auto;
alter role authenticated set plan_cache_mode = auto;

/**
  * The Postgres role a profile's role signs in as.
  */
create or replace function private.api_role_for(profile_role text)
  returns text
  language plpgsql
  immutable
  set search_path = ''
  set plan_cache_mode = auto
as $$
begin
  return case profile_role
    when 'superadmin' then 'aimodels_superadmin'
    when 'admin' then 'aimodels_admin'
    else 'authenticated'
  end;
end;
$$;

revoke execute on function private.api_role_for(text) from public;

/**
  * True for the roles the API runs requests as (and the login role it switches from):
  * writes under these come from a caller, not from platform code.
  */
create or replace function private.is_api_role(role_name name)
  returns boolean
  language plpgsql
  immutable
  set search_path = ''
  set plan_cache_mode = auto
as $$
begin
  return role_name in (
    'anon', 'authenticated', 'aimodels_admin', 'aimodels_superadmin', 'authenticator'
  );
end;
$$;

revoke execute on function private.is_api_role(name) from public;
grant execute on function private.is_api_role(name) to authenticated, service_role;

/**
  * Keeps the token's role (auth.users.role) in step with the profile: on a new profile, a
  * change of role, and a deleted profile (back to `authenticated`). Security definer: the
  * caller changing a profile has no rights on auth.users.
  */
create or replace function private.sync_api_role()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
  set plan_cache_mode = auto
as $$
begin
  if tg_op = 'DELETE' then
    update auth.users u set role = 'authenticated'
    where u.id = old.id and u.role is distinct from 'authenticated';
  else
    update auth.users u set role = private.api_role_for(new.role)
    where u.id = new.id and u.role is distinct from private.api_role_for(new.role);
  end if;
  return null;
end;
$$;

revoke execute on function private.sync_api_role() from public;

create trigger profiles_sync_api_role
  after insert or delete or update of role on public.profiles
  for each row execute function private.sync_api_role();

update auth.users u
set role = private.api_role_for(p.role)
from public.profiles p
where p.id = u.id and u.role is distinct from private.api_role_for(p.role);

/**
  * Platform code may change protected fields; a caller of the API may not (unless a
  * superadmin). Was `current_user not in ('anon', 'authenticated', 'authenticator')`.
  */
create or replace function private.is_privileged_writer()
  returns boolean
  language plpgsql
  stable
  set search_path = ''
  set plan_cache_mode = auto
as $$
begin
  return not private.is_api_role(current_user) or private.is_superadmin();
end;
$$;

/**
  * As in 20251201000400, asking is_api_role() instead of naming two roles.
  */
create or replace function private.check_user_limit_applies()
  returns trigger
  language plpgsql
  set search_path = ''
  set plan_cache_mode = auto
as $$
declare
  model public.ai_models_system;
begin
  if new.token_limit_per_user is null or not private.is_api_role(current_user) then
    return new;
  end if;
  select * into model from public.ai_models_system m where m.id = new.system_model_id;
  if not found then
    -- Not a model the caller may configure: the settings policies refuse the write.
    return new;
  end if;
  if model.is_free then
    perform private.refuse(
      'AM006',
      format('a per-user limit cannot apply to %s: free models have no token limits', model.name),
      format('token_limit_per_user=%s', new.token_limit_per_user)
    );
  end if;
  if model.token_limit_amount is not null and new.token_limit_per_user > model.token_limit_amount then
    perform private.refuse(
      'AM006',
      format(
        'a per-user limit can only tighten the model''s own limit of %s tokens per %s period; use at most %s',
        model.token_limit_amount, model.token_limit_period, model.token_limit_amount
      ),
      format(
        'token_limit_per_user=%s model_limit=%s', new.token_limit_per_user, model.token_limit_amount
      )
    );
  end if;
  return new;
end;
$$;

/**
  * The usage log: one read policy per kind of caller.
  */
drop policy "superadmins, org admins and users can read usage" on public.ai_model_usage;

create policy "users can read their own usage"
  on public.ai_model_usage for select to authenticated
  using (user_id = (select private.caller_id()));

create policy "org admins can read their org's usage"
  on public.ai_model_usage for select to aimodels_admin
  using (organization_id = (select private.administered_org_id()));

create policy "superadmins can read all usage"
  on public.ai_model_usage for select to aimodels_superadmin
  using (true);

create policy "only a superadmin reads as one"
  on public.ai_model_usage as restrictive for select to aimodels_superadmin
  using ((select private.is_superadmin()));

/**
  * The holds: read like the usage log.
  */
drop policy "owners, org admins and superadmins can read holds" on public.usage_reservations;

create policy "users can read their own holds"
  on public.usage_reservations for select to authenticated
  using (user_id = (select private.caller_id()));

create policy "org admins can read their org's holds"
  on public.usage_reservations for select to aimodels_admin
  using (organization_id = (select private.administered_org_id()));

create policy "superadmins can read all holds"
  on public.usage_reservations for select to aimodels_superadmin
  using (true);

create policy "only a superadmin reads holds as one"
  on public.usage_reservations as restrictive for select to aimodels_superadmin
  using ((select private.is_superadmin()));

drop function private.superadmin_usage_since();
drop function private.superadmin_org_ids();
