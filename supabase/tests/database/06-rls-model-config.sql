begin;
\ir ../helpers.psql
select plan(22);

-- ---------------------------------------------------------------------------
-- Read
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select is((select count(*)::int from public.org_system_model_config), 9, 'superadmin reads every settings row');

select tests.authenticate_as('admin@bright-visas.example.test');
select is((select count(*)::int from public.org_system_model_config), 3, 'admin reads their organization''s rows');
select is_empty($$select 1 from public.org_system_model_config where organization_id <> tests.org_id('bright-visas')$$,
  'admin reads no other organization''s rows');

select tests.authenticate_as('user2@bright-visas.example.test');
select is((select count(*)::int from public.org_system_model_config), 3, 'user reads their organization''s rows');
select is_empty($$select 1 from public.org_system_model_config where organization_id <> tests.org_id('bright-visas')$$,
  'user reads no other organization''s rows');

select tests.authenticate_as_key('anon');
select throws_ok($$select 1 from public.org_system_model_config$$, '42501', null, 'anon cannot read settings');

-- ---------------------------------------------------------------------------
-- Admin: create/update/delete own org's rows for visible models only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin@pulse-health.example.test');
select lives_ok($$insert into public.org_system_model_config (organization_id, system_model_id, is_enabled_for_users)
  values (tests.org_id('pulse-health'), tests.model_id('General Writing Assistant'), true)$$,
  'admin enables a visible model for their organization');
select throws_ok($$insert into public.org_system_model_config (organization_id, system_model_id, is_enabled_for_users)
  values (tests.org_id('pulse-health'), tests.model_id('Code Review Copilot'), true)$$,
  '42501', null, 'admin cannot configure a model their plan/type does not see');
select throws_ok($$insert into public.org_system_model_config (organization_id, system_model_id, is_enabled_for_users)
  values (tests.org_id('acme-law'), tests.model_id('General Writing Assistant'), true)$$,
  '42501', null, 'admin cannot create settings for another organization');
select is(tests.affected_rows($$update public.org_system_model_config set token_limit_per_user = 500
  where organization_id = tests.org_id('pulse-health') and system_model_id = tests.model_id('Clinical Notes Summariser')$$), 1,
  'admin tightens the per-user limit of their model');
select is(tests.affected_rows($$update public.org_system_model_config set is_enabled_for_users = false
  where organization_id = tests.org_id('nova-software')$$), 0,
  'admin cannot update another organization''s rows');
select throws_ok($$update public.org_system_model_config set organization_id = tests.org_id('acme-law')
  where organization_id = tests.org_id('pulse-health') and system_model_id = tests.model_id('General Writing Assistant')$$,
  'AM008', null, 'admin cannot move a row to another organization');
select throws_ok($$update public.org_system_model_config set system_model_id = tests.model_id('General Writing Assistant')
  where organization_id = tests.org_id('pulse-health') and system_model_id = tests.model_id('Clinical Notes Summariser')$$,
  'AM008', null, 'a settings row never switches model');
select is(tests.affected_rows($$delete from public.org_system_model_config
  where organization_id = tests.org_id('pulse-health') and system_model_id = tests.model_id('General Writing Assistant')$$), 1,
  'admin deletes their organization''s row');
select is(tests.affected_rows($$delete from public.org_system_model_config
  where organization_id = tests.org_id('acme-law')$$), 0,
  'admin cannot delete another organization''s rows');

-- A model the org no longer sees (plan downgrade) is out of the admin's reach.
select tests.clear_authentication();
update public.organizations set pricing_plan = 'starter' where slug = 'pulse-health';
select tests.authenticate_as('admin@pulse-health.example.test');
select is(tests.affected_rows($$update public.org_system_model_config set token_limit_per_user = 1
  where organization_id = tests.org_id('pulse-health')$$), 0,
  'admin cannot update settings of a model that is no longer visible');

-- ---------------------------------------------------------------------------
-- User: read only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@nova-software.example.test');
select throws_ok($$insert into public.org_system_model_config (organization_id, system_model_id, is_enabled_for_users)
  values (tests.org_id('nova-software'), tests.model_id('General Writing Assistant'), true)
  on conflict do nothing$$,
  '42501', null, 'user cannot create settings');
select is(tests.affected_rows($$update public.org_system_model_config set token_limit_per_user = null
  where organization_id = tests.org_id('nova-software')$$), 0, 'user cannot update settings');
select is(tests.affected_rows($$delete from public.org_system_model_config
  where organization_id = tests.org_id('nova-software')$$), 0, 'user cannot delete settings');

-- ---------------------------------------------------------------------------
-- Superadmin: everything (but rows still never move)
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select lives_ok($$insert into public.org_system_model_config (organization_id, system_model_id, is_enabled_for_users)
  values (tests.org_id('summit-finance'), tests.model_id('Legal Document Drafter'), true)$$,
  'superadmin creates settings for any organization');
select throws_ok($$update public.org_system_model_config set organization_id = tests.org_id('acme-law')
  where organization_id = tests.org_id('summit-finance') and system_model_id = tests.model_id('Legal Document Drafter')$$,
  'AM008', null, 'not even a superadmin moves a settings row to another organization');
select is(tests.affected_rows($$delete from public.org_system_model_config
  where organization_id = tests.org_id('summit-finance')$$), 3, 'superadmin deletes any settings');

select * from finish();
rollback;
