begin;
\ir ../helpers.psql
select plan(19);

-- ---------------------------------------------------------------------------
-- Read: superadmin all, admin visible, user usable, anon nothing
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select is((select count(*)::int from public.ai_models_system), 6, 'superadmin reads every model');

select tests.authenticate_as('admin@bright-visas.example.test');
select results_eq($$select name from public.ai_models_system order by name$$,
  $$values ('General Writing Assistant'), ('Immigration Case Assistant'), ('Legal Document Drafter')$$,
  'admin (starter, immigration) reads the visible models, enabled or not');

select tests.authenticate_as('user1@bright-visas.example.test');
select results_eq($$select name from public.ai_models_system order by name$$,
  $$values ('General Writing Assistant'), ('Immigration Case Assistant')$$,
  'user reads only the usable models (the disabled Legal Drafter is hidden)');

select tests.authenticate_as('admin@acme-law.example.test');
select results_eq($$select name from public.ai_models_system$$,
  $$values ('General Writing Assistant')$$,
  'admin on the free plan sees only free-plan models');

select tests.authenticate_as('admin@pulse-health.example.test');
select results_eq($$select name from public.ai_models_system order by name$$,
  $$values ('Clinical Notes Summariser'), ('General Writing Assistant')$$,
  'admin sees the unconfigured General Writing model as visible');
select tests.authenticate_as('user1@pulse-health.example.test');
select results_eq($$select name from public.ai_models_system$$,
  $$values ('Clinical Notes Summariser')$$,
  'user does not see a visible model their admin never enabled');

select tests.authenticate_as_key('anon');
select throws_ok($$select 1 from public.ai_models_system$$, '42501', null, 'anon cannot read models');

-- ---------------------------------------------------------------------------
-- Writes: superadmins only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin@nova-software.example.test');
select throws_ok($$insert into public.ai_models_system (name) values ('Shadow model')$$,
  '42501', null, 'admin cannot create a model');
select is(tests.affected_rows($$update public.ai_models_system set is_active = false
  where id = tests.model_id('Code Review Copilot')$$), 0, 'admin cannot update a visible model');
select is(tests.affected_rows($$delete from public.ai_models_system
  where id = tests.model_id('Code Review Copilot')$$), 0, 'admin cannot delete a visible model');

select tests.authenticate_as('user1@nova-software.example.test');
select throws_ok($$insert into public.ai_models_system (name) values ('Shadow model')$$,
  '42501', null, 'user cannot create a model');
select is(tests.affected_rows($$update public.ai_models_system set token_limit_amount = null
  where id = tests.model_id('Code Review Copilot')$$), 0, 'user cannot lift a model''s limit');
select is(tests.affected_rows($$delete from public.ai_models_system
  where id = tests.model_id('Code Review Copilot')$$), 0, 'user cannot delete a model');

select tests.authenticate_as('superadmin@example.test');
select lives_ok($$insert into public.ai_models_system (id, name, task, organization_types, required_plan)
  values ('00000000-0000-0000-0009-000000000010', 'Retail Copywriter', array['Write product copy', 'Translate'], array['retail'], 'starter')$$,
  'superadmin creates a model');
select is(tests.affected_rows($$update public.ai_models_system set is_featured = true
  where id = '00000000-0000-0000-0009-000000000010'$$), 1, 'superadmin updates a model');
select is(tests.affected_rows($$delete from public.ai_models_system
  where id = '00000000-0000-0000-0009-000000000010'$$), 1, 'superadmin deletes a model');

-- Deactivating a model hides it from admins and users alike.
select is(tests.affected_rows($$update public.ai_models_system set is_active = false
  where id = tests.model_id('Code Review Copilot')$$), 1, 'superadmin deactivates a model');
select tests.authenticate_as('admin@nova-software.example.test');
select is_empty($$select 1 from public.ai_models_system where name = 'Code Review Copilot'$$,
  'an inactive model is invisible to admins');
select tests.authenticate_as('user1@nova-software.example.test');
select is_empty($$select 1 from public.ai_models_system where name = 'Code Review Copilot'$$,
  'an inactive model is unusable for users even when enabled');

select * from finish();
rollback;
