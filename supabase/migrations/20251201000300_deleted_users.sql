/**
  * Deleting a user who has usage.
  *
  * Before: profiles followed their auth user (ON DELETE CASCADE) and usage rows restrict the
  * deletion of their profile, so deleting an auth user with usage (the Auth admin API's
  * DELETE /auth/v1/admin/users/<id>) failed with a foreign key error, answered 500.
  *
  * Decision: the deletion succeeds, and the usage log stays whole and attributable. A SaaS
  * must be able to remove a person (offboarding, an erasure request) while keeping what its
  * customers were billed for. So when an auth user is deleted:
  *   - with usage: the profile stays as a tombstone. deleted_at is set, the display fields
  *     (display_name, avatar_url) are cleared, organization_id and role are kept, so every
  *     usage row still names a profile and an organization and reports still add up. Nobody
  *     can sign in as it: the auth user, its identities and sessions are gone.
  *   - without usage: the profile is deleted, as before.
  * Usage rows are never touched (the append-only triggers would refuse it anyway).
  *
  * profiles.id therefore no longer has a foreign key to auth.users (a tombstone outlives its
  * auth user); the trigger below keeps the two in step. Soft deletion through the Auth API
  * (should_soft_delete) keeps the auth user, so the profile is left as it is.
  */

/**
  * -------------------------------------------------------
  * Section - Tombstones
  * -------------------------------------------------------
  */

alter table public.profiles
  add column deleted_at timestamptz;

comment on column public.profiles.deleted_at is
  'When the auth user was deleted; the profile stays (display fields cleared) because usage rows name it.';

alter table public.profiles
  drop constraint profiles_id_fkey;

/**
  * Follows the deletion of an auth user: a tombstone for a profile that usage rows name,
  * deletion otherwise. Security definer: the Auth server deletes as its own role, which has
  * no privilege on public.profiles.
  */
create or replace function private.retire_profile()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  -- Served by ai_model_usage_user_model_created_idx (user_id leads).
  if exists (select 1 from public.ai_model_usage u where u.user_id = old.id) then
    update public.profiles p
    set deleted_at = now(),
        display_name = null,
        avatar_url = null
    where p.id = old.id;
  else
    delete from public.profiles p where p.id = old.id;
  end if;
  return null;
end;
$$;

revoke execute on function private.retire_profile() from public;

create trigger on_auth_user_deleted_retire_profile
  after delete on auth.users
  for each row execute function private.retire_profile();
