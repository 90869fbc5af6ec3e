begin;
\ir ../helpers.psql
select plan(37);

-- An auth account as GoTrue inserts it (confirmed or not), with the given user_metadata.
create or replace function tests.new_account(email text, metadata jsonb, confirmed boolean default true)
returns uuid language plpgsql set search_path = '' as $$
declare
  uid uuid := gen_random_uuid();
begin
  insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
    email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values ('00000000-0000-0000-0000-000000000000', uid, 'authenticated', 'authenticated', email, '',
    case when confirmed then now() end, '{"provider":"email"}', metadata, now(), now());
  return uid;
end;
$$;

-- ---------------------------------------------------------------------------
-- Sign-up creates a free organization whose admin is the new account
-- ---------------------------------------------------------------------------
select tests.new_account('founder@signup.example.test', '{"org_name": "  Founders Ltd ", "org_type": "software"}');
select results_eq(
  $$select o.name, o.type, o.pricing_plan, p.role from public.profiles p
    join public.organizations o on o.id = p.organization_id
    where p.id = tests.user_id('founder@signup.example.test')$$,
  $$values ('Founders Ltd'::text, 'software'::text, 'free'::text, 'admin'::text)$$,
  'a confirmed sign-up with org_name and org_type creates a free organization and makes the account its admin');
select matches(
  (select o.slug from public.organizations o join public.profiles p on p.organization_id = o.id
    where p.id = tests.user_id('founder@signup.example.test')),
  '^founders-ltd-[0-9a-f]{6}$', 'the new organization gets a slug from its name');

select tests.new_account('forger@signup.example.test',
  jsonb_build_object('org_name', 'Forgers', 'org_type', 'retail', 'role', 'superadmin',
    'organization_id', tests.org_id('nova-software'), 'pricing_plan', 'enterprise'));
select results_eq(
  $$select p.role, o.pricing_plan, o.id <> tests.org_id('nova-software') from public.profiles p
    join public.organizations o on o.id = p.organization_id
    where p.id = tests.user_id('forger@signup.example.test')$$,
  $$values ('admin'::text, 'free'::text, true)$$,
  'role, organization and plan in the metadata are ignored: the forger only founds a free org as its admin');

select throws_ok($$select tests.new_account('bad-type@signup.example.test', '{"org_name": "X", "org_type": "casino"}')$$,
  'AM009', null, 'an unknown org_type refuses the sign-up');
select throws_ok($$select tests.new_account('long@signup.example.test',
  jsonb_build_object('org_name', repeat('n', 101), 'org_type', 'retail'))$$,
  'AM009', null, 'an org_name over 100 characters refuses the sign-up');
select throws_ok($$select tests.new_account('blank@signup.example.test', '{"org_name": "   ", "org_type": "retail"}')$$,
  'AM009', null, 'a blank org_name refuses the sign-up');
select throws_ok($$select tests.new_account('half@signup.example.test', '{"org_type": "retail"}')$$,
  'AM009', null, 'org_type without org_name refuses the sign-up');
select throws_ok($$select tests.new_account('numeric@signup.example.test', '{"org_name": 42, "org_type": "retail"}')$$,
  'AM009', null, 'a non-text org_name refuses the sign-up');

select tests.new_account('later@signup.example.test', '{"org_name": "Later Co", "org_type": "travel"}', false);
select is_empty($$select 1 from public.profiles where id = tests.user_id('later@signup.example.test')$$,
  'an unconfirmed sign-up creates no organization yet');
update auth.users set email_confirmed_at = now() where email = 'later@signup.example.test';
select is((select o.name from public.organizations o join public.profiles p on p.organization_id = o.id
  where p.id = tests.user_id('later@signup.example.test')), 'Later Co',
  'confirming the email creates the organization');
update auth.users set email_confirmed_at = now() where email = 'later@signup.example.test';
select is((select count(*)::int from public.organizations where name = 'Later Co'), 1,
  'confirming again creates nothing more');

select tests.new_account('loner@signup.example.test', '{"display_name": "Loner"}');
select is_empty($$select 1 from public.profiles where id = tests.user_id('loner@signup.example.test')$$,
  'a sign-up without org fields gets no organization (it may accept an invitation)');

-- ---------------------------------------------------------------------------
-- Invitations: admins of their own organization, never superadmin
-- ---------------------------------------------------------------------------
create temporary table invite_tokens (label text primary key, invitation uuid, token text);
grant all on invite_tokens to authenticated;

select tests.authenticate_as('admin@nova-software.example.test');
insert into invite_tokens
  select 'loner', invitation_id, token from public.invite_member('  Loner@Signup.example.test ');
select results_eq(
  $$select i.email, i.role, i.organization_id from public.invitations i
    join invite_tokens t on t.invitation = i.id where t.label = 'loner'$$,
  $$values ('loner@signup.example.test'::text, 'user'::text, tests.org_id('nova-software'))$$,
  'an admin invites an address (normalised) into their own organization, as user by default');
select is((select length(token) from invite_tokens where label = 'loner'), 64,
  'the inviter gets a 256-bit token once');
select is_empty($$select 1 from public.invitations i join invite_tokens t on t.invitation = i.id
  where i.token_hash = t.token$$, 'only a hash of the token is stored');
select throws_ok($$select * from public.invite_member('x@signup.example.test', 'superadmin')$$,
  'AM009', null, 'an admin cannot invite with the superadmin role');
select throws_ok($$select * from public.invite_member('not-an-email', 'user')$$,
  'AM009', null, 'an invalid address is refused');
select throws_ok($$select * from public.invite_member('user1@nova-software.example.test')$$,
  'AM025', null, 'inviting a current member is refused');
insert into invite_tokens
  select 'expired', invitation_id, token from public.invite_member('expired@signup.example.test', 'admin');
insert into invite_tokens
  select 'revoked', invitation_id, token from public.invite_member('revoked@signup.example.test');

select tests.authenticate_as('user1@nova-software.example.test');
select throws_ok($$select * from public.invite_member('friend@signup.example.test')$$,
  '42501', null, 'a user cannot invite');
select is_empty($$select 1 from public.invitations$$, 'a user reads no invitation');

select tests.authenticate_as('admin@pulse-health.example.test');
select is_empty($$select 1 from public.invitations$$, 'an admin reads no invitation of another organization');
select throws_ok($$select * from public.revoke_invitation((select invitation from invite_tokens where label = 'revoked'))$$,
  'AM021', null, 'an admin cannot revoke another organization''s invitation');
select throws_ok($$insert into public.invitations (organization_id, email, token_hash)
  values (tests.org_id('pulse-health'), 'direct@signup.example.test', 'x')$$,
  '42501', null, 'nobody writes invitations except through the functions');

select tests.authenticate_as('superadmin@example.test');
select throws_ok($$select * from public.invite_member('staff@signup.example.test')$$,
  '42501', null, 'a superadmin has no organization to invite into');

select tests.authenticate_as('admin@nova-software.example.test');
select is((select count(*)::int from public.invitations where accepted_at is null and revoked_at is null), 3,
  'the admin lists their three pending invitations');
select is((select revoked_at is not null from public.revoke_invitation((select invitation from invite_tokens where label = 'revoked'))),
  true, 'the admin revokes a pending invitation');

-- ---------------------------------------------------------------------------
-- Accepting: only the invited address, once, before expiry, without an organization
-- ---------------------------------------------------------------------------
select tests.authenticate_as('founder@signup.example.test');
select throws_ok($$select * from public.accept_invitation((select token from invite_tokens where label = 'loner'))$$,
  'AM021', null, 'another account cannot accept someone else''s invitation');

select tests.authenticate_as('loner@signup.example.test');
select throws_ok($$select * from public.accept_invitation('guessed-token')$$,
  'AM021', null, 'a wrong token is refused');
select results_eq($$select organization_id, role from public.accept_invitation((select token from invite_tokens where label = 'loner'))$$,
  $$values (tests.org_id('nova-software'), 'user'::text)$$,
  'the invited account accepts and joins the organization with the invited role');
select throws_ok($$select * from public.accept_invitation((select token from invite_tokens where label = 'loner'))$$,
  'AM023', null, 'an invitation works only once');

select tests.clear_authentication();
select tests.new_account('expired@signup.example.test', '{}');
select tests.new_account('revoked@signup.example.test', '{}');
update public.invitations set created_at = now() - interval '8 days', expires_at = now() - interval '1 day'
  where id = (select invitation from invite_tokens where label = 'expired');
select tests.authenticate_as('expired@signup.example.test');
select throws_ok($$select * from public.accept_invitation((select token from invite_tokens where label = 'expired'))$$,
  'AM024', null, 'an expired invitation is refused');
select tests.authenticate_as('revoked@signup.example.test');
select throws_ok($$select * from public.accept_invitation((select token from invite_tokens where label = 'revoked'))$$,
  'AM022', null, 'a revoked invitation is refused');

-- ---------------------------------------------------------------------------
-- Removing a member: the profile leaves, the usage log stays
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin@bright-visas.example.test');
select is((select organization_id from public.remove_member('user1@bright-visas.example.test')),
  tests.org_id('bright-visas'), 'an admin removes a member of their organization');
select tests.clear_authentication();
select results_eq($$select organization_id, role from public.profiles where id = tests.user_id('user1@bright-visas.example.test')$$,
  $$values (null::uuid, 'user'::text)$$, 'the removed member has no organization any more');
select ok((select count(*) from public.ai_model_usage where user_id = tests.user_id('user1@bright-visas.example.test')) > 0,
  'the removed member''s usage rows stay');
select tests.authenticate_as('admin@bright-visas.example.test');
select throws_ok($$select * from public.remove_member('admin@bright-visas.example.test')$$,
  'AM026', null, 'an admin cannot remove themselves');
select throws_ok($$select * from public.remove_member('user1@pulse-health.example.test')$$,
  'AM027', null, 'an admin cannot remove a member of another organization');

select * from finish();
rollback;
