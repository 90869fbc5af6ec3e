/**
  * One home for each access rule.
  *
  * - The admin arm ("the row is in the organization the caller administers") was written out
  *   nine times in six policies as `organization_id = current_org_id() and current_user_role() =
  *   'admin'`. It is now one helper, private.administered_org_id(), compared with the row's
  *   organization column, so an index on that column still serves the arm. The policies that
  *   carried it are altered to use it: same names, same meaning.
  * - Dead code goes: private.is_org_admin() was never called. private.is_model_usable_by_user()
  *   was called by tests only; the pgTAP helpers define it now (tests.is_model_usable_by_user).
  * - EXECUTE on private helpers is granted only where a caller runs as an API role: policies
  *   and invoker triggers (as the signed-in user, or service_role), check constraints and
  *   column defaults, and invoker API functions. Helpers only security definer functions call
  *   run as the definer and need no grant; it is revoked. (The comment above the grant on
  *   private.quota_snapshot said record_usage() calls it as the invoker: it has not since the
  *   receipt stopped recomputing the quota, and quota_status() is security definer.)
  */

/**
  * -------------------------------------------------------
  * Section - The admin arm
  * -------------------------------------------------------
  */

/**
  * The organization the signed-in user administers: their own when their role is 'admin',
  * null otherwise. Policies compare `organization_id = (select private.administered_org_id())`,
  * evaluated once per statement and served by the organization column's index.
  */
create or replace function private.administered_org_id()
  returns uuid
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return (
    select p.organization_id
    from public.profiles p
    where p.id = auth.uid()
      and p.role = 'admin'
  );
end;
$$;

revoke execute on function private.administered_org_id() from public;
grant execute on function private.administered_org_id() to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Policies with the admin arm
  * -------------------------------------------------------
  */

alter policy "superadmins and org admins can update organizations"
  on public.organizations
  using (
    (select private.is_superadmin())
    or id = (select private.administered_org_id())
  )
  with check (
    (select private.is_superadmin())
    or id = (select private.administered_org_id())
  );

alter policy "superadmins, org admins and owners can read profiles"
  on public.profiles
  using (
    id = (select auth.uid())
    or (select private.is_superadmin())
    or organization_id = (select private.administered_org_id())
  );

alter policy "superadmins, org admins and owners can update profiles"
  on public.profiles
  using (
    id = (select auth.uid())
    or (select private.is_superadmin())
    or organization_id = (select private.administered_org_id())
  )
  with check (
    id = (select auth.uid())
    or (select private.is_superadmin())
    or organization_id = (select private.administered_org_id())
  );

alter policy "superadmins and admins can create settings for visible models"
  on public.org_system_model_config
  with check (
    (select private.is_superadmin())
    or (
      organization_id = (select private.administered_org_id())
      and private.is_model_visible_to_org(organization_id, system_model_id)
    )
  );

alter policy "superadmins and admins can update settings for visible models"
  on public.org_system_model_config
  using (
    (select private.is_superadmin())
    or (
      organization_id = (select private.administered_org_id())
      and private.is_model_visible_to_org(organization_id, system_model_id)
    )
  )
  with check (
    (select private.is_superadmin())
    or (
      organization_id = (select private.administered_org_id())
      and private.is_model_visible_to_org(organization_id, system_model_id)
    )
  );

alter policy "superadmins and admins can delete settings for visible models"
  on public.org_system_model_config
  using (
    (select private.is_superadmin())
    or (
      organization_id = (select private.administered_org_id())
      and private.is_model_visible_to_org(organization_id, system_model_id)
    )
  );

/**
  * -------------------------------------------------------
  * Section - Dead and test-only functions
  * -------------------------------------------------------
  */

drop function private.is_org_admin(uuid);
drop function private.is_model_usable_by_user(uuid, uuid);

/**
  * -------------------------------------------------------
  * Section - EXECUTE only where an API role calls
  * -------------------------------------------------------
  */

-- Called only from security definer functions (admission, RPCs, the rules themselves), which
-- run as their owner.
revoke execute on function private.visible_model_ids(uuid) from authenticated, service_role;
revoke execute on function private.is_model_enabled_for_org(uuid, uuid) from authenticated, service_role;
revoke execute on function private.org_trial_ends(uuid) from authenticated, service_role;
revoke execute on function private.trial_end(uuid, uuid) from authenticated, service_role;
revoke execute on function private.expired_trial_model_ids(uuid, timestamptz) from authenticated, service_role;
revoke execute on function private.is_trial_expired(uuid, uuid, timestamptz) from authenticated, service_role;
revoke execute on function private.usable_model_ids(uuid) from authenticated, service_role;
revoke execute on function private.period_window(text, timestamptz) from authenticated, service_role;
revoke execute on function private.effective_user_limits(uuid) from authenticated, service_role;
revoke execute on function private.effective_user_limit(uuid, uuid) from authenticated, service_role;
revoke execute on function private.user_tokens_used(uuid, uuid, timestamptz, timestamptz) from authenticated, service_role;
revoke execute on function private.org_quota_status(uuid) from authenticated, service_role;
revoke execute on function private.quota_snapshot(uuid, uuid) from authenticated, service_role;
revoke execute on function private.is_platform_or_superadmin_request() from authenticated, service_role;

-- Kept, and why (each is granted in the migration that made it):
--   is_superadmin, current_org_id, current_user_role, administered_org_id, readable_org_ids,
--   usage_report_org_ids, readable_model_ids, is_model_visible_to_org: called by policies;
--   is_privileged_writer: called by the invoker protect-fields triggers;
--   organization_type_slugs, plan_rank: check constraints; next_quota_reset: a column default;
--   usage_receipt: called by record_usage(), an invoker function; refuse: invoker callers.
