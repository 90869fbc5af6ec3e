begin;
\ir ../helpers.psql
select plan(24);

-- ---------------------------------------------------------------------------
-- Read
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select is((select count(*)::int from public.organizations), 5, 'superadmin reads every organization');

select tests.authenticate_as('admin@bright-visas.example.test');
select results_eq($$select slug from public.organizations$$, $$values ('bright-visas')$$,
  'admin reads only their own organization');

select tests.authenticate_as('user2@summit-finance.example.test');
select results_eq($$select slug from public.organizations$$, $$values ('summit-finance')$$,
  'user reads only their own organization');
select is_empty($$select 1 from public.organizations where slug = 'acme-law'$$,
  'user cannot read another organization by filter');

select tests.authenticate_as_key('anon');
select throws_ok($$select 1 from public.organizations$$, '42501', null, 'anon cannot read organizations');

-- ---------------------------------------------------------------------------
-- Create and delete
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin@acme-law.example.test');
select throws_ok(
  $$insert into public.organizations (slug, name, type) values ('rogue', 'Rogue', 'retail')$$,
  '42501', null, 'admin cannot create an organization'
);
select tests.authenticate_as('user1@acme-law.example.test');
select throws_ok(
  $$insert into public.organizations (slug, name, type) values ('rogue', 'Rogue', 'retail')$$,
  '42501', null, 'user cannot create an organization'
);
select tests.authenticate_as('superadmin@example.test');
select lives_ok(
  $$insert into public.organizations (slug, name, type, pricing_plan) values ('new-co', 'New Co', 'retail', 'pro')$$,
  'superadmin creates an organization'
);

select tests.authenticate_as('admin@acme-law.example.test');
select is(tests.affected_rows($$delete from public.organizations where slug = 'new-co'$$), 0,
  'admin cannot delete an organization (not even one it cannot see)');
select is(tests.affected_rows($$delete from public.organizations where slug = 'acme-law'$$), 0,
  'admin cannot delete their own organization');
select tests.authenticate_as('superadmin@example.test');
select is(tests.affected_rows($$delete from public.organizations where slug = 'new-co'$$), 1,
  'superadmin deletes an organization');
select throws_ok(
  $$delete from public.organizations where slug = 'bright-visas'$$,
  '23503', null, 'an organization with usage history cannot be deleted (audit)'
);

-- ---------------------------------------------------------------------------
-- Update: admins rename, never touch plan, type, quota or usage
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin@acme-law.example.test');
select is(tests.affected_rows($$update public.organizations set name = 'Acme Law' where slug = 'acme-law'$$), 1,
  'admin renames their own organization');
select is(tests.affected_rows($$update public.organizations set name = 'Pwned' where slug = 'bright-visas'$$), 0,
  'admin cannot update another organization');
select throws_ok($$update public.organizations set pricing_plan = 'enterprise' where slug = 'acme-law'$$,
  'AM008', null, 'admin cannot change the pricing plan');
select throws_ok($$update public.organizations set type = 'software' where slug = 'acme-law'$$,
  'AM008', null, 'admin cannot change the organization type');
select throws_ok($$update public.organizations set token_quota_monthly = 5 where slug = 'acme-law'$$,
  'AM008', null, 'admin cannot change the quota');
select throws_ok($$update public.organizations set token_usage_current = 99 where slug = 'acme-law'$$,
  'AM008', null, 'admin cannot reset the usage counter');
select throws_ok($$update public.organizations set token_reset_date = now() where slug = 'acme-law'$$,
  'AM008', null, 'admin cannot move the reset date');
select throws_ok($$update public.organizations set id = extensions.gen_random_uuid() where slug = 'acme-law'$$,
  'AM008', null, 'admin cannot re-key the organization');

select tests.authenticate_as('user1@acme-law.example.test');
select is(tests.affected_rows($$update public.organizations set name = 'Mine' where slug = 'acme-law'$$), 0,
  'user cannot update their organization');

select tests.authenticate_as('superadmin@example.test');
select is(
  tests.affected_rows($$update public.organizations
    set pricing_plan = 'starter', token_quota_monthly = 1000 where slug = 'acme-law'$$),
  1, 'superadmin changes plan and quota');

select tests.authenticate_as_key('service_role');
select is(
  tests.affected_rows($$update public.organizations set pricing_plan = 'pro' where slug = 'acme-law'$$),
  1, 'service_role (platform code) changes the plan');

select tests.clear_authentication();
select is((select name || '/' || pricing_plan || '/' || token_quota_monthly from public.organizations where slug = 'acme-law'),
  'Acme Law/pro/1000', 'only the allowed changes stuck');

select * from finish();
rollback;
