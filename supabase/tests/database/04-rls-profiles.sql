begin;
\ir ../helpers.psql
select plan(26);

-- ---------------------------------------------------------------------------
-- Read
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select is((select count(*)::int from public.profiles), 16, 'superadmin reads every profile');

select tests.authenticate_as('admin@nova-software.example.test');
select is((select count(*)::int from public.profiles), 3, 'admin reads the three profiles of their organization');
select is_empty($$select 1 from public.profiles where organization_id <> tests.org_id('nova-software')$$,
  'admin reads no profile of another organization');
select is_empty($$select 1 from public.profiles where role = 'superadmin'$$,
  'admin cannot read the superadmin profile');

select tests.authenticate_as('user1@nova-software.example.test');
select results_eq($$select id from public.profiles$$,
  $$values (tests.user_id('user1@nova-software.example.test'))$$,
  'user reads only their own profile (not user2 of the same org)');

select tests.authenticate_as_key('anon');
select throws_ok($$select 1 from public.profiles$$, '42501', null, 'anon cannot read profiles');

-- ---------------------------------------------------------------------------
-- Users: own display fields only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@nova-software.example.test');
select is(tests.affected_rows($$update public.profiles set display_name = 'Ada', avatar_url = 'https://x/a.png'
  where id = tests.user_id('user1@nova-software.example.test')$$), 1,
  'user edits their own display fields');
select throws_ok($$update public.profiles set role = 'admin' where id = tests.user_id('user1@nova-software.example.test')$$,
  'AM008', null, 'user cannot give themselves a role');
select throws_ok($$update public.profiles set organization_id = tests.org_id('acme-law')
  where id = tests.user_id('user1@nova-software.example.test')$$,
  'AM008', null, 'user cannot move themselves to another organization');
select is(tests.affected_rows($$update public.profiles set display_name = 'Hacked'
  where id = tests.user_id('user2@nova-software.example.test')$$), 0,
  'user cannot edit another member''s profile');
select throws_ok($$insert into public.profiles (id, organization_id, role)
  values (tests.user_id('superadmin@example.test'), tests.org_id('nova-software'), 'user')$$,
  '42501', null, 'user cannot create a profile');
select is(tests.affected_rows($$delete from public.profiles where id = tests.user_id('user1@nova-software.example.test')$$), 0,
  'user cannot delete their profile');

-- ---------------------------------------------------------------------------
-- Admins: set roles user/admin in their own organization only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin@nova-software.example.test');
select is(tests.affected_rows($$update public.profiles set role = 'admin'
  where id = tests.user_id('user2@nova-software.example.test')$$), 1,
  'admin promotes a member of their organization to admin');
select is(tests.affected_rows($$update public.profiles set role = 'user'
  where id = tests.user_id('user2@nova-software.example.test')$$), 1,
  'admin demotes a member back to user');
select throws_ok($$update public.profiles set role = 'superadmin'
  where id = tests.user_id('user2@nova-software.example.test')$$,
  'AM008', null, 'admin cannot grant superadmin');
select throws_ok($$update public.profiles set role = 'user'
  where id = tests.user_id('admin@nova-software.example.test')$$,
  'AM008', null, 'admin cannot change their own role');
select throws_ok($$update public.profiles set organization_id = tests.org_id('acme-law')
  where id = tests.user_id('user2@nova-software.example.test')$$,
  'AM008', null, 'admin cannot move a member to another organization');
select throws_ok($$update public.profiles set display_name = 'Renamed by admin'
  where id = tests.user_id('user2@nova-software.example.test')$$,
  'AM008', null, 'admin cannot edit a member''s display fields');
select is(tests.affected_rows($$update public.profiles set role = 'admin'
  where id = tests.user_id('user1@acme-law.example.test')$$), 0,
  'admin cannot touch a profile of another organization');
select is(tests.affected_rows($$update public.profiles set display_name = 'Boss'
  where id = tests.user_id('admin@nova-software.example.test')$$), 1,
  'admin edits their own display fields');
select is(tests.affected_rows($$delete from public.profiles where id = tests.user_id('user2@nova-software.example.test')$$), 0,
  'admin cannot delete a member''s profile');

-- ---------------------------------------------------------------------------
-- Superadmins: everything
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select is(tests.affected_rows($$update public.profiles set role = 'admin', organization_id = tests.org_id('acme-law')
  where id = tests.user_id('user2@nova-software.example.test')$$), 1,
  'superadmin moves a member and sets any role');
select is(tests.affected_rows($$update public.profiles set display_name = 'Set by staff'
  where id = tests.user_id('user1@acme-law.example.test')$$), 1,
  'superadmin edits any display field');

select tests.clear_authentication();
insert into auth.users (id, email, aud, role) values ('00000000-0000-0000-0009-000000000001', 'new@example.test', 'authenticated', 'authenticated');
select tests.authenticate_as('superadmin@example.test');
select lives_ok($$insert into public.profiles (id, organization_id, role)
  values ('00000000-0000-0000-0009-000000000001', tests.org_id('acme-law'), 'user')$$,
  'superadmin creates a profile');
select is(tests.affected_rows($$delete from public.profiles where id = '00000000-0000-0000-0009-000000000001'$$), 1,
  'superadmin deletes a profile');

select tests.clear_authentication();
select results_eq(
  $$select role, organization_id, display_name from public.profiles where id = tests.user_id('user1@nova-software.example.test')$$,
  $$values ('user'::text, tests.org_id('nova-software'), 'Ada'::text)$$,
  'user1 kept their role and organization, with their own display name'
);

select * from finish();
rollback;
