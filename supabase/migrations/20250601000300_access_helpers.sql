/**
  * Who is calling: small helpers that read the caller's organization and role from
  * public.profiles (never from user-editable metadata). Policies call them wrapped in
  * `(select ...)` so the planner evaluates each once per statement.
  *
  * They are security definer because policies on profiles itself call them (an invoker
  * function would recurse into those policies); each has a fixed, empty search_path.
  */

/**
  * -------------------------------------------------------
  * Section - The signed-in user
  * -------------------------------------------------------
  */

/**
  * The organization of the signed-in user (auth.uid()), or null.
  */
create or replace function private.current_org_id()
  returns uuid
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select p.organization_id from public.profiles p where p.id = (select auth.uid())
$$;

revoke execute on function private.current_org_id() from public;
grant execute on function private.current_org_id() to authenticated, service_role;

/**
  * The product role of the signed-in user: 'superadmin', 'admin', 'user', or null.
  */
create or replace function private.current_user_role()
  returns text
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select p.role from public.profiles p where p.id = (select auth.uid())
$$;

revoke execute on function private.current_user_role() from public;
grant execute on function private.current_user_role() to authenticated, service_role;

/**
  * True when the signed-in user is platform staff (profile role 'superadmin').
  */
create or replace function private.is_superadmin()
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select coalesce((select private.current_user_role()) = 'superadmin', false)
$$;

revoke execute on function private.is_superadmin() from public;
grant execute on function private.is_superadmin() to authenticated, service_role;

/**
  * True when the signed-in user is an admin of the given organization.
  */
create or replace function private.is_org_admin(organization_id uuid)
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select exists (
    select 1
    from public.profiles p
    where p.id = (select auth.uid())
      and p.role = 'admin'
      and p.organization_id = is_org_admin.organization_id
  )
$$;

revoke execute on function private.is_org_admin(uuid) from public;
grant execute on function private.is_org_admin(uuid) to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Platform callers
  * -------------------------------------------------------
  */

/**
  * True when the write in progress may change protected fields: it comes from platform code
  * (a migration, the seed, service_role, or a security definer function of ours, where
  * current_user is the definer) or from a superadmin. Used by the protect-fields triggers,
  * which run as the invoker so that current_user is the role doing the write.
  */
create or replace function private.is_privileged_writer()
  returns boolean
  language sql
  stable
  set search_path = ''
as $$
  select current_user not in ('anon', 'authenticated', 'authenticator')
    or (select private.is_superadmin())
$$;

revoke execute on function private.is_privileged_writer() from public;
grant execute on function private.is_privileged_writer() to authenticated, service_role;

/**
  * True when the request itself comes from a superadmin or from the platform (service_role,
  * postgres). Unlike is_privileged_writer() it reads the session's role setting, which a
  * security definer function does not change, so definer functions (the API-key functions)
  * can tell who called them.
  */
create or replace function private.is_platform_or_superadmin_request()
  returns boolean
  language sql
  stable
  set search_path = ''
as $$
  select coalesce(nullif(current_setting('role', true), 'none'), session_user::text)
      in ('postgres', 'supabase_admin', 'service_role')
    or (select private.is_superadmin())
$$;

revoke execute on function private.is_platform_or_superadmin_request() from public;
grant execute on function private.is_platform_or_superadmin_request() to authenticated, service_role;
