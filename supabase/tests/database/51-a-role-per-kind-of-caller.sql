begin;
\ir ../helpers.psql
select plan(19);

-- Admins and superadmins sign in as Postgres roles of their own (aimodels_admin,
-- aimodels_superadmin), members of authenticated. The token's role follows the profile
-- (auth.users.role, which GoTrue issues as the `role` claim); a role claim never grants more
-- than the profile does, so a token issued before a demotion reads no more than the profile
-- now allows, and one issued before a promotion reads what it read before.

-- ---------------------------------------------------------------------------
-- The token's role follows the profile
-- ---------------------------------------------------------------------------
select is(
  (select array_agg(distinct p.role || ' -> ' || u.role order by p.role || ' -> ' || u.role)
   from public.profiles p join auth.users u on u.id = p.id),
  array['admin -> aimodels_admin', 'superadmin -> aimodels_superadmin', 'user -> authenticated'],
  'every seeded account''s token role is its profile''s'
);

-- An admin promotes a member: the change reaches auth.users through the trigger, which the
-- admin has no right to write.
select tests.authenticate_as('admin@bright-visas.example.test');
update public.profiles set role = 'admin' where id = tests.user_id('user2@bright-visas.example.test');
select tests.clear_authentication();
select is(tests.api_role('user2@bright-visas.example.test'), 'aimodels_admin',
  'a promotion by an admin gives the next token the admin role');

select tests.authenticate_as('admin@bright-visas.example.test');
update public.profiles set role = 'user' where id = tests.user_id('user2@bright-visas.example.test');
select tests.clear_authentication();
select is(tests.api_role('user2@bright-visas.example.test'), 'authenticated',
  'a demotion gives the next token the plain role');

delete from public.profiles where id = tests.user_id('admin@acme-law.example.test');
select is(tests.api_role('admin@acme-law.example.test'), 'authenticated',
  'an account without a profile signs in with the plain role');

select throws_ok(
  $$select tests.authenticate_as('user1@bright-visas.example.test');
    update auth.users set role = 'aimodels_superadmin' where email = 'user1@bright-visas.example.test'$$,
  '42501', null, 'nobody signed in writes a token role'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- A role claim grants no more than the profile
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@bright-visas.example.test');
select public.reserve_usage(tests.model_id('Immigration Case Assistant'), 10);
select tests.clear_authentication();
select tests.keep_owner_views();
-- Not vacuous: the user has usage of their own and their organization has other users'.
select cmp_ok(
  (select count(*)::int from owner_view
   where user_id = tests.user_id('user1@bright-visas.example.test')),
  '>', 0, 'the user has usage of their own');
select cmp_ok(
  (select count(*)::int from owner_view
   where organization_id = tests.org_id('bright-visas')
     and user_id <> tests.user_id('user1@bright-visas.example.test')),
  '>', 0, 'their organization has others'' usage');
select cmp_ok((select count(*)::int from owner_holds), '>', 0, 'and there is a hold');

select tests.authenticate_as('user1@bright-visas.example.test', 'aimodels_admin');
select is_empty($$select id from public.ai_model_usage$$,
  'a user whose token claims the admin role reads no usage (the admin''s gate)');
select is_empty($$select id from public.usage_reservations$$,
  'nor any hold');

select tests.authenticate_as('user1@bright-visas.example.test', 'aimodels_superadmin');
select is_empty($$select id from public.ai_model_usage$$,
  'a user whose token claims the superadmin role reads no usage (the gate)');
select is_empty($$select id from public.usage_reservations$$,
  'nor any hold');

-- A token issued before a promotion: what it read before.
select tests.authenticate_as('admin@bright-visas.example.test', 'authenticated');
select set_eq($$select id from public.ai_model_usage$$,
  format('select id from owner_view where user_id = %L', tests.user_id('admin@bright-visas.example.test')),
  'an admin still carrying the plain role reads their own usage until the next token');

-- A demoted superadmin whose token still carries the role: nothing, at once.
select tests.clear_authentication();
update public.profiles set role = 'user' where id = tests.user_id('superadmin@example.test');
select tests.authenticate_as('superadmin@example.test', 'aimodels_superadmin');
select is_empty($$select id from public.ai_model_usage$$,
  'a demoted superadmin''s old token reads no usage');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- The API's roles, named in one place
-- ---------------------------------------------------------------------------
select is(
  (select array_agg(r.rolname::text order by r.rolname)
   from pg_roles r
   where pg_has_role('authenticator', r.oid, 'MEMBER') and r.rolname <> 'authenticator'
     and not private.is_api_role(r.rolname)),
  array['service_role'],
  'every role the API may switch to is an API role, but the platform''s own key'
);
select ok(not private.is_api_role('postgres') and not private.is_api_role('supabase_admin'),
  'the platform''s roles are not API roles');

-- An admin's writes are a caller's, not platform code's: protected fields stay protected.
select tests.authenticate_as('admin@bright-visas.example.test');
select is(current_user::text, 'aimodels_admin', 'the admin writes as aimodels_admin');
select is(private.is_privileged_writer(), false, 'an admin is not a privileged writer');
select throws_ok(
  $$update public.org_system_model_config set token_limit_per_user = 999999999
    where organization_id = tests.org_id('bright-visas')
      and system_model_id = tests.model_id('Immigration Case Assistant')$$,
  'AM006', null, 'an admin''s per-user limit is checked against the model''s'
);

select * from finish();
rollback;
