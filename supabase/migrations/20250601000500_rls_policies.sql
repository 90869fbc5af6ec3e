/**
  * The RLS contract (DESIGN.md section 5), policy by policy.
  *
  *   table                    superadmin          admin (own org)                user (own org)          anon
  *   organizations            all                 read own; no change to type,   read own                none
  *                                                plan, quota or usage fields
  *   profiles                 all                 read own org; set role         read own; edit own      none
  *                                                user/admin in own org only     display fields only
  *   ai_models_system         all, incl. API key  read visible models            read usable models      none
  *   org_system_model_config  all                 create/read/update/delete own  read own org's rows     none
  *                                                org's rows, visible models only
  *   ai_model_usage           read all            read own org                   read own; insert own    none
  *
  * Every signed-in user shares the `authenticated` role, so each table has exactly one
  * permissive policy per action (the advisors flag more than one), whose expression is the
  * union of the cells above. anon has no policy and no privilege on any table. Column rules
  * that a policy cannot express (which fields an admin may change) are BEFORE UPDATE triggers
  * raising AM008, in the style of basejump's protect_account_fields.
  *
  * Read policies are written so an index can serve them: each arm compares an indexed column
  * with a value or an array the rules compute once per statement, e.g.
  * `organization_id = any ((select private.readable_org_ids())::uuid[])`, where a superadmin's
  * scope is every organization. A bare boolean arm such as `(select private.is_superadmin())
  * or ...` cannot use any index, so the planner scans the whole table for everybody.
  */

alter table public.organizations enable row level security;
alter table public.profiles enable row level security;
alter table public.ai_models_system enable row level security;
alter table public.org_system_model_config enable row level security;
alter table public.ai_model_usage enable row level security;

/**
  * -------------------------------------------------------
  * Section - Organizations
  * -------------------------------------------------------
  */

create policy "superadmins and members can read organizations"
  on public.organizations
  for select
  to authenticated
  -- Not `id = any (readable_org_ids())`: an organization a superadmin creates is not in that
  -- list yet, and the insert's RETURNING must see it.
  using (
    (select private.is_superadmin())
    or id = (select private.current_org_id())
  );

create policy "superadmins can create organizations"
  on public.organizations
  for insert
  to authenticated
  with check ((select private.is_superadmin()));

create policy "superadmins and org admins can update organizations"
  on public.organizations
  for update
  to authenticated
  using (
    (select private.is_superadmin())
    or (id = (select private.current_org_id()) and (select private.current_user_role()) = 'admin')
  )
  with check (
    (select private.is_superadmin())
    or (id = (select private.current_org_id()) and (select private.current_user_role()) = 'admin')
  );

create policy "superadmins can delete organizations"
  on public.organizations
  for delete
  to authenticated
  using ((select private.is_superadmin()));

/**
  * Admins may rename their organization but not change what it pays for or uses: slug, type,
  * plan, quota, usage counter and reset date are for superadmins and platform code only.
  */
create or replace function private.protect_organization_fields()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if private.is_privileged_writer() then
    return new;
  end if;
  if new.id is distinct from old.id
    or new.slug is distinct from old.slug
    or new.type is distinct from old.type
    or new.pricing_plan is distinct from old.pricing_plan
    or new.token_quota_monthly is distinct from old.token_quota_monthly
    or new.token_usage_current is distinct from old.token_usage_current
    or new.token_reset_date is distinct from old.token_reset_date
    or new.created_at is distinct from old.created_at
  then
    raise exception using
      errcode = 'AM008',
      message = 'protected_field: only superadmins may change an organization''s slug, type, plan, quota or usage fields';
  end if;
  return new;
end;
$$;

revoke execute on function private.protect_organization_fields() from public;

create trigger organizations_protect_fields
  before update on public.organizations
  for each row execute function private.protect_organization_fields();

/**
  * -------------------------------------------------------
  * Section - Profiles
  * -------------------------------------------------------
  */

create policy "superadmins, org admins and owners can read profiles"
  on public.profiles
  for select
  to authenticated
  using (
    id = (select auth.uid())
    or (select private.is_superadmin())
    or (
      organization_id = (select private.current_org_id())
      and (select private.current_user_role()) = 'admin'
    )
  );

create policy "superadmins can create profiles"
  on public.profiles
  for insert
  to authenticated
  with check ((select private.is_superadmin()));

create policy "superadmins, org admins and owners can update profiles"
  on public.profiles
  for update
  to authenticated
  using (
    id = (select auth.uid())
    or (select private.is_superadmin())
    or (
      organization_id = (select private.current_org_id())
      and (select private.current_user_role()) = 'admin'
    )
  )
  with check (
    id = (select auth.uid())
    or (select private.is_superadmin())
    or (
      organization_id = (select private.current_org_id())
      and (select private.current_user_role()) = 'admin'
    )
  );

create policy "superadmins can delete profiles"
  on public.profiles
  for delete
  to authenticated
  using ((select private.is_superadmin()));

/**
  * What a non-superadmin may change on a profile: the owner edits display_name and avatar_url;
  * an admin of the same organization sets another member's role to user or admin. Nobody else
  * moves a profile to another organization or gives themselves a role.
  */
create or replace function private.protect_profile_fields()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
declare
  caller uuid := auth.uid();
begin
  if private.is_privileged_writer() then
    return new;
  end if;
  if new.id is distinct from old.id
    or new.organization_id is distinct from old.organization_id
    or new.created_at is distinct from old.created_at
  then
    raise exception using
      errcode = 'AM008',
      message = 'protected_field: a profile''s organization can only be changed by a superadmin';
  end if;
  if new.role is distinct from old.role then
    if old.id = caller then
      raise exception using
        errcode = 'AM008',
        message = 'protected_field: nobody can change their own role';
    end if;
    if new.role not in ('user', 'admin') or old.role not in ('user', 'admin') then
      raise exception using
        errcode = 'AM008',
        message = 'protected_field: admins may only switch members between the user and admin roles';
    end if;
  end if;
  if old.id is distinct from caller
    and (new.display_name is distinct from old.display_name
      or new.avatar_url is distinct from old.avatar_url)
  then
    raise exception using
      errcode = 'AM008',
      message = 'protected_field: only the owner edits a profile''s display fields';
  end if;
  return new;
end;
$$;

revoke execute on function private.protect_profile_fields() from public;

create trigger profiles_protect_fields
  before update on public.profiles
  for each row execute function private.protect_profile_fields();

/**
  * -------------------------------------------------------
  * Section - System model catalog
  * -------------------------------------------------------
  */

create policy "superadmins, admins and users can read the models they may see"
  on public.ai_models_system
  for select
  to authenticated
  -- The rules run once per statement (readable_model_ids), not once per model row. The
  -- superadmin arm stays a boolean: a model a superadmin creates is in no list yet, and the
  -- insert's RETURNING must see it (the catalog is small; no index is lost).
  using (
    (select private.is_superadmin())
    or id = any ((select private.readable_model_ids())::uuid[])
  );

create policy "superadmins can create models"
  on public.ai_models_system
  for insert
  to authenticated
  with check ((select private.is_superadmin()));

create policy "superadmins can update models"
  on public.ai_models_system
  for update
  to authenticated
  using ((select private.is_superadmin()))
  with check ((select private.is_superadmin()));

create policy "superadmins can delete models"
  on public.ai_models_system
  for delete
  to authenticated
  using ((select private.is_superadmin()));

/**
  * -------------------------------------------------------
  * Section - Organization settings per model
  * -------------------------------------------------------
  */

create policy "superadmins and members can read their org's model settings"
  on public.org_system_model_config
  for select
  to authenticated
  -- One indexable arm, served by org_system_model_config_org_model_key.
  using (organization_id = any ((select private.readable_org_ids())::uuid[]));

create policy "superadmins and admins can create settings for visible models"
  on public.org_system_model_config
  for insert
  to authenticated
  with check (
    (select private.is_superadmin())
    or (
      organization_id = (select private.current_org_id())
      and (select private.current_user_role()) = 'admin'
      and private.is_model_visible_to_org(organization_id, system_model_id)
    )
  );

create policy "superadmins and admins can update settings for visible models"
  on public.org_system_model_config
  for update
  to authenticated
  using (
    (select private.is_superadmin())
    or (
      organization_id = (select private.current_org_id())
      and (select private.current_user_role()) = 'admin'
      and private.is_model_visible_to_org(organization_id, system_model_id)
    )
  )
  with check (
    (select private.is_superadmin())
    or (
      organization_id = (select private.current_org_id())
      and (select private.current_user_role()) = 'admin'
      and private.is_model_visible_to_org(organization_id, system_model_id)
    )
  );

create policy "superadmins and admins can delete settings for visible models"
  on public.org_system_model_config
  for delete
  to authenticated
  using (
    (select private.is_superadmin())
    or (
      organization_id = (select private.current_org_id())
      and (select private.current_user_role()) = 'admin'
      and private.is_model_visible_to_org(organization_id, system_model_id)
    )
  );

/**
  * A settings row belongs to one (organization, model) for life: nobody, superadmins included,
  * re-points it. Create a new row instead.
  */
create or replace function private.protect_model_config_keys()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.organization_id is distinct from old.organization_id
    or new.system_model_id is distinct from old.system_model_id
  then
    raise exception using
      errcode = 'AM008',
      message = 'protected_field: a model settings row cannot move to another organization or model';
  end if;
  return new;
end;
$$;

revoke execute on function private.protect_model_config_keys() from public;

create trigger org_system_model_config_protect_keys
  before update on public.org_system_model_config
  for each row execute function private.protect_model_config_keys();

/**
  * -------------------------------------------------------
  * Section - Usage log
  * -------------------------------------------------------
  */

create policy "superadmins, org admins and users can read usage"
  on public.ai_model_usage
  for select
  to authenticated
  -- Two arms, each the leading column of an index (ai_model_usage_user_model_created_idx,
  -- ai_model_usage_organization_created_idx), so the planner builds a BitmapOr narrowed by
  -- the query's own created_at range. A bare `(select private.is_superadmin())` arm would
  -- defeat both indexes and scan the whole log for every user and admin.
  using (
    user_id = (select auth.uid())
    or organization_id = any ((select private.usage_report_org_ids())::uuid[])
  );

-- Only the 'user' role records usage (the contract's cells); the admission trigger has
-- already filled and checked the row by the time this check runs.
create policy "users can record their own usage"
  on public.ai_model_usage
  for insert
  to authenticated
  with check (
    user_id = (select auth.uid())
    and organization_id = (select private.current_org_id())
    and (select private.current_user_role()) = 'user'
  );
