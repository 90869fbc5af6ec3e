/**
  * The usage insert policy reads the caller's profile once.
  *
  * "users can record their own usage" compared the row with current_org_id() and
  * current_user_role(): two security definer calls reading the same profile row, on every
  * recording (record_usage() inserts as the caller, so the policy runs on each call). The
  * same rule is now one helper, private.recording_org_id(), the way the admin arm is
  * private.administered_org_id(): same policy name, same meaning.
  */

/**
  * -------------------------------------------------------
  * Section - The recording arm
  * -------------------------------------------------------
  */

/**
  * The organization the signed-in user records usage in: their own when their role is
  * 'user', null otherwise (admins and superadmins manage models, they do not use them).
  */
create or replace function private.recording_org_id()
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
      and p.role = 'user'
  );
end;
$$;

revoke execute on function private.recording_org_id() from public;
grant execute on function private.recording_org_id() to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - RLS Policies
  * -------------------------------------------------------
  */

alter policy "users can record their own usage"
  on public.ai_model_usage
  with check (
    user_id = (select auth.uid())
    and organization_id = (select private.recording_org_id())
  );
