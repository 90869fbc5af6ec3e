/**
  * Onboarding: sign-up creates an organization, admins invite members into theirs, admins
  * remove members.
  *
  * Role and organization never come from user-editable metadata. Sign-up reads two vetted
  * fields (org_name, org_type) to create a NEW free-plan organization whose admin is the new
  * account; joining an EXISTING organization needs an invitation, and an invitation needs its
  * secret token (sent only in the email to the invited address) and an account with that
  * address. Removing a member detaches the profile; their usage rows stay (append-only log).
  *
  * Errors (SQLSTATE, documented in docs/errors.md; each raised by private.refuse()):
  *   42501  not an admin of an organization (PostgREST answers 403)
  *   AM009  invalid_argument (email, role, organization name or type)
  *   AM021  invitation_not_found: no such invitation for this account (also someone else's)
  *   AM022  invitation_revoked
  *   AM023  invitation_used
  *   AM024  invitation_expired
  *   AM025  already_member: the account already belongs to an organization
  *   AM026  cannot_remove_self: an admin cannot remove themselves
  *   AM027  member_not_found: no member of the caller's organization has this address
  */

/**
  * -------------------------------------------------------
  * Section - Refusals
  * -------------------------------------------------------
  */

-- The onboarding codes, raised through private.refuse() like every other.
insert into private.refusal_codes (code, name, reason) values
  ('AM021', 'invitation_not_found', 'no such invitation for this account'),
  ('AM022', 'invitation_revoked', 'this invitation was revoked'),
  ('AM023', 'invitation_used', 'this invitation was already accepted'),
  ('AM024', 'invitation_expired', 'this invitation has expired'),
  ('AM025', 'already_member', 'this account already belongs to an organization'),
  ('AM026', 'cannot_remove_self', 'an admin cannot remove themselves'),
  ('AM027', 'member_not_found', 'no member of your organization has this address');

/**
  * -------------------------------------------------------
  * Section - Sign-up creates an organization
  * -------------------------------------------------------
  */

/**
  * The organization a sign-up asks for, read from exactly two user_metadata fields:
  * org_name (1 to 100 characters after trimming) and org_type (a known type slug). Both
  * absent: null (an account without an organization, e.g. one that will accept an
  * invitation). Anything else present but invalid is refused, so a sign-up never half works.
  * Every other metadata field (role, organization_id, plan...) is ignored.
  */
create or replace function private.vetted_signup_org(metadata jsonb, out org_name text, out org_type text)
  language plpgsql
  immutable
  set search_path = ''
as $$
declare
  raw_name jsonb := metadata -> 'org_name';
  raw_type jsonb := metadata -> 'org_type';
begin
  if (raw_name is null or raw_name = 'null'::jsonb) and (raw_type is null or raw_type = 'null'::jsonb) then
    return;
  end if;
  if raw_name is null or jsonb_typeof(raw_name) <> 'string'
    or length(btrim(raw_name #>> '{}')) not between 1 and 100
  then
    perform private.refuse('AM009', 'org_name must be 1 to 100 characters');
  end if;
  if raw_type is null or jsonb_typeof(raw_type) <> 'string'
    or not ((raw_type #>> '{}') = any (private.organization_type_slugs()))
  then
    perform private.refuse('AM009', 'org_type must be a known organization type');
  end if;
  org_name := btrim(raw_name #>> '{}');
  org_type := raw_type #>> '{}';
end;
$$;

revoke execute on function private.vetted_signup_org(jsonb) from public;

/**
  * A fresh organization slug from a name: its words in lowercase joined by hyphens, plus a
  * random suffix so two sign-ups with one name never collide.
  */
create or replace function private.new_org_slug(org_name text)
  returns text
  language plpgsql
  volatile
  set search_path = ''
as $$
declare
  base text := btrim(regexp_replace(lower(org_name), '[^a-z0-9]+', '-', 'g'), '-');
begin
  return left(coalesce(nullif(base, ''), 'org'), 40) || '-'
    || substr(encode(extensions.gen_random_bytes(4), 'hex'), 1, 6);
end;
$$;

revoke execute on function private.new_org_slug(text) from public;

/**
  * Creates the organization of a confirmed sign-up, with its account as admin: when the
  * account is created already confirmed, or when its email is confirmed later. Metadata is
  * vetted at creation too, so a bad sign-up is refused before an account exists. An account
  * that already has a profile (the seed, a superadmin's insert) is left alone.
  * Security definer: GoTrue's role writes auth.users and must not need rights on our tables.
  */
create or replace function private.create_org_for_signup()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  requested record;
  new_org uuid;
begin
  if tg_op = 'UPDATE' and (old.email_confirmed_at is not null or new.email_confirmed_at is null) then
    return new;
  end if;
  select * into requested from private.vetted_signup_org(new.raw_user_meta_data);
  if requested.org_name is null
    or new.email_confirmed_at is null
    or exists (select 1 from public.profiles p where p.id = new.id)
  then
    return new;
  end if;
  insert into public.organizations (slug, name, type, pricing_plan)
  values (private.new_org_slug(requested.org_name), requested.org_name, requested.org_type, 'free')
  returning id into new_org;
  insert into public.profiles (id, organization_id, role)
  values (new.id, new_org, 'admin');
  return new;
end;
$$;

revoke execute on function private.create_org_for_signup() from public;

create trigger on_auth_user_created_create_org
  after insert on auth.users
  for each row execute function private.create_org_for_signup();

create trigger on_auth_user_confirmed_create_org
  after update of email_confirmed_at on auth.users
  for each row execute function private.create_org_for_signup();

/**
  * -------------------------------------------------------
  * Section - Invitations
  * -------------------------------------------------------
  */

/**
  * An admin's invitation of one email address into their organization with a role (user or
  * admin, never superadmin). Pending until accepted (once), revoked or expired. Only the
  * sha256 of its secret token is kept; the token itself travels in the invitation email.
  */
create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  email text not null
    constraint invitations_email_format
      check (email = lower(btrim(email)) and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and length(email) <= 255),
  role text not null default 'user'
    constraint invitations_role_known check (role in ('user', 'admin')),
  token_hash text not null unique,
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  revoked_at timestamptz,
  constraint invitations_expire_after_creation check (expires_at > created_at),
  constraint invitations_accepted_or_revoked check (accepted_at is null or revoked_at is null)
);

comment on table public.invitations is
  'Invitations of an email into an organization with a role; single use, expiring, revocable.';

alter table public.invitations enable row level security;

revoke all on table public.invitations from public, anon, authenticated, service_role;
-- Writes go through invite_member / accept_invitation / revoke_invitation only.
grant select on table public.invitations to authenticated;
grant select, insert, update, delete on table public.invitations to service_role;

-- Serves the admins' read policy and their pending list.
create index invitations_organization_id_idx on public.invitations (organization_id);
-- Serve the foreign keys to auth.users (deleting an account nulls them).
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_accepted_by_idx on public.invitations (accepted_by);
-- One pending invitation per address and organization: inviting again replaces it.
create unique index invitations_one_pending_per_email
  on public.invitations (organization_id, email)
  where accepted_at is null and revoked_at is null;

create policy "superadmins and org admins can read invitations"
  on public.invitations
  for select
  to authenticated
  using (
    (select private.is_superadmin())
    or (
      organization_id = (select private.current_org_id())
      and (select private.current_user_role()) = 'admin'
    )
  );

/**
  * The caller's organization when the caller is its admin; refuses everyone else with
  * 42501 (PostgREST: 403). The one check every admin RPC of this file starts with.
  */
create or replace function private.require_org_admin()
  returns uuid
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  org uuid := private.administered_org_id();
begin
  if org is null then
    raise exception using
      errcode = '42501',
      message = 'not_org_admin: only an organization''s admin may manage its members';
  end if;
  return org;
end;
$$;

-- Called only by our security definer RPCs (as their owner): no API role needs it.
revoke execute on function private.require_org_admin() from public;

/**
  * A normalised email address (trimmed, lowercase) or AM009.
  */
create or replace function private.normalized_email(address text)
  returns text
  language plpgsql
  immutable
  set search_path = ''
as $$
declare
  normalized text := lower(btrim(coalesce(address, '')));
begin
  if normalized !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or length(normalized) > 255 then
    perform private.refuse('AM009', 'not an email address');
  end if;
  return normalized;
end;
$$;

revoke execute on function private.normalized_email(text) from public;

/**
  * Invites an email into the caller's organization (admins only) with role user or admin.
  * Returns the invitation and, this once, its secret token: the caller puts it in the link
  * it emails (e.g. as the redirect of a magic link). Inviting a pending address again
  * replaces the old invitation (the old token stops working).
  */
create or replace function public.invite_member(email text, role text default 'user')
  returns table (
    invitation_id uuid,
    organization_id uuid,
    invited_email text,
    invited_role text,
    expires_at timestamptz,
    token text
  )
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  org uuid := private.require_org_admin();
  address text := private.normalized_email(invite_member.email);
  secret text := encode(extensions.gen_random_bytes(32), 'hex');
  created public.invitations;
begin
  if invite_member.role is null or invite_member.role not in ('user', 'admin') then
    perform private.refuse('AM009', 'an invitation''s role is user or admin');
  end if;
  if exists (
    select 1
    from public.profiles p
    join auth.users u on u.id = p.id
    where p.organization_id = org and lower(u.email) = address
  ) then
    perform private.refuse('AM025', 'this address already belongs to the organization');
  end if;
  update public.invitations i
  set revoked_at = now()
  where i.organization_id = org and i.email = address
    and i.accepted_at is null and i.revoked_at is null;
  insert into public.invitations (organization_id, email, role, token_hash, invited_by)
  values (
    org, address, invite_member.role,
    encode(extensions.digest(secret, 'sha256'), 'hex'), auth.uid()
  )
  returning * into created;
  return query
    select created.id, created.organization_id, created.email, created.role,
      created.expires_at, secret;
end;
$$;

revoke execute on function public.invite_member(text, text) from public, anon;
grant execute on function public.invite_member(text, text) to authenticated, service_role;

/**
  * Accepts an invitation by its token: the signed-in account must have the invited address
  * and no organization yet; it then joins the organization with the invited role. Someone
  * else's invitation answers exactly as a missing one does.
  */
create or replace function public.accept_invitation(token text)
  returns table (organization_id uuid, role text)
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  caller_email text;
  invitation public.invitations;
  current_profile public.profiles;
begin
  select lower(u.email) into caller_email from auth.users u where u.id = caller;
  select * into invitation
  from public.invitations i
  where i.token_hash = encode(extensions.digest(coalesce(accept_invitation.token, ''), 'sha256'), 'hex')
  for update;
  if caller is null or invitation.id is null or invitation.email is distinct from caller_email then
    perform private.refuse('AM021', 'no such invitation for this account');
  end if;
  if invitation.revoked_at is not null then
    perform private.refuse('AM022', 'this invitation was revoked');
  end if;
  if invitation.accepted_at is not null then
    perform private.refuse('AM023', 'this invitation was already accepted');
  end if;
  if invitation.expires_at <= now() then
    perform private.refuse('AM024', 'this invitation has expired');
  end if;
  select * into current_profile from public.profiles p where p.id = caller for update;
  if current_profile.organization_id is not null or current_profile.role = 'superadmin' then
    perform private.refuse('AM025', 'this account already belongs to an organization');
  end if;
  insert into public.profiles as p (id, organization_id, role)
  values (caller, invitation.organization_id, invitation.role)
  on conflict (id) do update
    set organization_id = excluded.organization_id, role = excluded.role;
  update public.invitations i
  set accepted_at = now(), accepted_by = caller
  where i.id = invitation.id;
  return query select invitation.organization_id, invitation.role;
end;
$$;

revoke execute on function public.accept_invitation(text) from public, anon;
grant execute on function public.accept_invitation(text) to authenticated;

/**
  * Revokes a pending invitation of the caller's organization (admins only). Another
  * organization's invitation answers as a missing one.
  */
create or replace function public.revoke_invitation(invitation_id uuid)
  returns setof public.invitations
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  org uuid := private.require_org_admin();
  invitation public.invitations;
begin
  select * into invitation
  from public.invitations i
  where i.id = revoke_invitation.invitation_id and i.organization_id = org
  for update;
  if invitation.id is null then
    perform private.refuse('AM021', 'no such invitation in your organization');
  end if;
  if invitation.accepted_at is not null then
    perform private.refuse('AM023', 'this invitation was already accepted');
  end if;
  return query
    update public.invitations i
    set revoked_at = coalesce(i.revoked_at, now())
    where i.id = invitation.id
    returning i.*;
end;
$$;

revoke execute on function public.revoke_invitation(uuid) from public, anon;
grant execute on function public.revoke_invitation(uuid) to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Removing a member
  * -------------------------------------------------------
  */

/**
  * Removes a member (by email) from the caller's organization (admins only): the profile
  * leaves the organization and becomes a plain user without one. The member's usage rows
  * stay, as the audit log is append-only. An admin cannot remove themselves (the
  * organization would be left without its admin by accident).
  */
create or replace function public.remove_member(email text)
  returns table (profile_id uuid, organization_id uuid)
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  org uuid := private.require_org_admin();
  address text := private.normalized_email(remove_member.email);
  member uuid;
begin
  select p.id into member
  from public.profiles p
  join auth.users u on u.id = p.id
  where p.organization_id = org and lower(u.email) = address
  for update of p;
  if member is null then
    perform private.refuse('AM027', 'no member of your organization has this address');
  end if;
  if member = auth.uid() then
    perform private.refuse('AM026', 'an admin cannot remove themselves');
  end if;
  update public.profiles p
  set organization_id = null, role = 'user'
  where p.id = member;
  return query select member, org;
end;
$$;

revoke execute on function public.remove_member(text) from public, anon;
grant execute on function public.remove_member(text) to authenticated, service_role;
