begin;
\ir ../helpers.psql
select plan(19);

-- ---------------------------------------------------------------------------
-- Read
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select is((select count(*)::int from public.ai_model_usage), 8, 'superadmin reads all usage');

select tests.authenticate_as('admin@nova-software.example.test');
select is((select count(*)::int from public.ai_model_usage), 2, 'admin reads their organization''s usage');
select is_empty($$select 1 from public.ai_model_usage where organization_id <> tests.org_id('nova-software')$$,
  'admin reads no other organization''s usage');

select tests.authenticate_as('user1@nova-software.example.test');
select results_eq($$select user_id, tokens_used from public.ai_model_usage$$,
  $$values (tests.user_id('user1@nova-software.example.test'), 12000)$$,
  'user reads only their own usage, not a colleague''s');

select tests.authenticate_as_key('anon');
select throws_ok($$select 1 from public.ai_model_usage$$, '42501', null, 'anon cannot read usage');
select throws_ok($$insert into public.ai_model_usage (model_id, tokens_used) values (tests.model_id('General Writing Assistant'), 1)$$,
  '42501', null, 'anon cannot insert usage');

-- ---------------------------------------------------------------------------
-- Insert: users, own rows, checked
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user2@nova-software.example.test');
select lives_ok($$insert into public.ai_model_usage (user_id, model_id, tokens_used)
  values (tests.user_id('user2@nova-software.example.test'), tests.model_id('Code Review Copilot'), 100)$$,
  'user inserts their own usage directly');
select lives_ok($$insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Code Review Copilot'), 50)$$,
  'user_id defaults to the signed-in user');
select results_eq(
  $$select organization_id, model_name, model_type, period_type, created_at = now()
    from public.ai_model_usage where tokens_used = 100 and user_id = tests.user_id('user2@nova-software.example.test')$$,
  $$values (tests.org_id('nova-software'), 'Code Review Copilot'::text, 'system'::text, 'monthly'::text, true)$$,
  'the admission trigger fills org, model name, type, period and server time'
);
select lives_ok($$insert into public.ai_model_usage (model_id, tokens_used, created_at)
  values (tests.model_id('Code Review Copilot'), 7, now() - interval '90 days')$$,
  'a client-supplied created_at is accepted but ...');
select is((select created_at from public.ai_model_usage where tokens_used = 7), now(),
  '... replaced by the server clock, so usage cannot be backdated');
select throws_ok($$insert into public.ai_model_usage (user_id, model_id, tokens_used)
  values (tests.user_id('user1@nova-software.example.test'), tests.model_id('Code Review Copilot'), 10)$$,
  '42501', null, 'user cannot record usage for a colleague');
select throws_ok($$insert into public.ai_model_usage (organization_id, model_id, tokens_used)
  values (tests.org_id('acme-law'), tests.model_id('Code Review Copilot'), 10)$$,
  'AM008', null, 'user cannot record usage in another organization');
select throws_ok($$insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Financial Report Analyst'), 10)$$,
  'AM001', null, 'a direct insert passes the same checks as record_usage (model not available)');
select throws_ok($$insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Code Review Copilot'), 0)$$,
  'AM006', null, 'a direct insert passes the same checks as record_usage (invalid amount)');

select tests.authenticate_as('admin@nova-software.example.test');
select throws_ok($$insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Code Review Copilot'), 10)$$,
  '42501', null, 'admins do not record usage (the contract gives them read only)');

select tests.authenticate_as('superadmin@example.test');
select throws_ok($$insert into public.ai_model_usage (user_id, model_id, tokens_used)
  values (tests.user_id('user1@nova-software.example.test'), tests.model_id('Code Review Copilot'), 10)$$,
  '42501', null, 'superadmins cannot record usage for a user');

select tests.authenticate_as_key('service_role');
select lives_ok($$insert into public.ai_model_usage (user_id, model_id, tokens_used)
  values (tests.user_id('user1@nova-software.example.test'), tests.model_id('Code Review Copilot'), 10)$$,
  'service_role records usage for a user (server-side), still checked ...');
select throws_ok($$insert into public.ai_model_usage (user_id, model_id, tokens_used)
  values (tests.user_id('user1@nova-software.example.test'), tests.model_id('Financial Report Analyst'), 10)$$,
  'AM001', null, '... so it cannot record a model the user may not use');

select * from finish();
rollback;
