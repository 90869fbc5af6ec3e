begin;
\ir ../helpers.psql
select plan(26);

create temporary table org_before as
  select slug, token_usage_current from public.organizations;
grant select on org_before to authenticated;

-- ---------------------------------------------------------------------------
-- Each failure has its own code and appends nothing
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@summit-finance.example.test');
select throws_ok($$select public.record_usage(extensions.gen_random_uuid(), 10)$$,
  'AM001', 'model_not_available: the model is not available to your organization',
  'AM001 model_not_available: an unknown model');
select throws_ok($$select public.record_usage(tests.model_id('Code Review Copilot'), 10)$$,
  'AM001', null, 'AM001 model_not_available: a model targeted at another type/plan');
select throws_ok($$select public.record_usage(tests.model_id('General Writing Assistant'), 10)$$,
  'AM002', 'model_not_enabled: your organization has not enabled this model for its users',
  'AM002 model_not_enabled: visible but disabled by the admin');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 0)$$,
  'AM006', 'invalid_amount: tokens_used must be 1..10000000 and requests_count 1..10000 per usage row',
  'AM006 invalid_amount: zero tokens');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), -5)$$,
  'AM006', null, 'AM006 invalid_amount: negative tokens');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), null)$$,
  'AM006', null, 'AM006 invalid_amount: missing tokens');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 10, 0)$$,
  'AM006', null, 'AM006 invalid_amount: zero requests');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 20001)$$,
  'AM004', null, 'AM004 user_limit_exceeded: more than the daily limit in one go');

select tests.clear_authentication();
update public.organizations set token_quota_monthly = token_usage_current + 5 where slug = 'summit-finance';
select tests.authenticate_as('user1@summit-finance.example.test');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 6)$$,
  'AM005', null, 'AM005 org_quota_exceeded: past the org quota');

select tests.clear_authentication();
update public.ai_models_system set is_trial = true, trial_expires_days = 1 where name = 'Financial Report Analyst';
update private.org_model_first_enabled set first_enabled_at = now() - interval '2 days'
where organization_id = tests.org_id('summit-finance');
select tests.authenticate_as('user1@summit-finance.example.test');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1)$$,
  'AM003', 'trial_expired: your organization''s trial of this model has ended',
  'AM003 trial_expired: a trial past its end');

select tests.clear_authentication();
select is((select count(*)::int from public.ai_model_usage where organization_id = tests.org_id('summit-finance')), 1,
  'no failed recording appended a row (only the seeded one remains)');
select is((select token_usage_current from public.organizations where slug = 'summit-finance'),
  (select token_usage_current from org_before where slug = 'summit-finance'),
  'no failed recording charged the org quota');

-- The user limit is checked before the org quota: when both would be exceeded, AM004 wins.
update public.ai_models_system set is_trial = false, trial_expires_days = null where name = 'Financial Report Analyst';
select tests.authenticate_as('user1@summit-finance.example.test');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 25000)$$,
  'AM004', null, 'checks run in the documented order (user limit before org quota)');

-- ---------------------------------------------------------------------------
-- Callers who may not record
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin@summit-finance.example.test');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1)$$,
  '42501', null, 'admins are refused by row level security');
select tests.authenticate_as_key('anon');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1)$$,
  '42501', null, 'anon cannot call record_usage');
select tests.authenticate_as('superadmin@example.test');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1)$$,
  'AM001', null, 'a superadmin outside any organization has nothing to record against');

-- ---------------------------------------------------------------------------
-- The receipt
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
update public.organizations set token_quota_monthly = token_usage_current + 1000 where slug = 'nova-software';
-- The rules are not the signed-in user's to call: the expected window is read beforehand.
create temporary table monthly_window as
  select w.period_start, w.period_end from private.period_window('monthly', now()) w;
grant select on monthly_window to authenticated;
select tests.authenticate_as('user2@nova-software.example.test');
create temporary table receipt as
  select * from public.record_usage(tests.model_id('Code Review Copilot'), 250, 3);
select results_eq(
  $$select user_id, organization_id, model_id, model_type, model_name, tokens_used, requests_count, period_type
    from receipt$$,
  $$values (tests.user_id('user2@nova-software.example.test'), tests.org_id('nova-software'),
    tests.model_id('Code Review Copilot'), 'system'::text, 'Code Review Copilot'::text, 250, 3, 'monthly'::text)$$,
  'the receipt carries the new row'
);
select results_eq(
  $$select period_start, period_end, created_at from receipt$$,
  $$select w.period_start, w.period_end, now() from monthly_window w$$,
  'the receipt carries the current monthly period and server time'
);
select is((select user_tokens_remaining from receipt), 1000000::bigint - 8000 - 250,
  'user_tokens_remaining: the monthly limit minus this period''s usage');
select is((select org_tokens_remaining from receipt), 750::bigint, 'org_tokens_remaining: the quota left this month');
select isnt_empty($$select 1 from public.ai_model_usage u join receipt r on r.id = u.id$$,
  'the receipt''s row is in the log');
-- The receipt reuses what the row's own triggers computed (transaction-local settings): a
-- second recording in the same transaction must not show the first one's figures.
create temporary table free_receipt as
  select * from public.record_usage(tests.model_id('General Writing Assistant'), 40);
select results_eq(
  $$select user_tokens_remaining, org_tokens_remaining from free_receipt$$,
  $$values (null::bigint, null::bigint)$$,
  'a free model''s receipt after a limited one''s in the same transaction: nothing left over from it'
);

-- ---------------------------------------------------------------------------
-- quota_status
-- ---------------------------------------------------------------------------
select results_eq(
  $$select model_id, limit_period, token_limit, tokens_used, tokens_remaining, trial_ends_at, org_quota, org_remaining
    from public.quota_status(tests.model_id('Code Review Copilot'))$$,
  $$values (tests.model_id('Code Review Copilot'), 'monthly'::text, 1000000::bigint, 8250::bigint,
    991750::bigint, null::timestamptz, (select token_quota_monthly from public.organizations where slug = 'nova-software'), 750::bigint)$$,
  'quota_status: limit, used, remaining, no trial, org quota'
);
select results_eq(
  $$select token_limit, tokens_remaining from public.quota_status(tests.model_id('General Writing Assistant'))$$,
  $$values (null::bigint, null::bigint)$$,
  'quota_status of a free model: unlimited'
);
select throws_ok($$select * from public.quota_status(tests.model_id('Financial Report Analyst'))$$,
  'AM001', null, 'quota_status reveals nothing about a model the org cannot see');
select tests.authenticate_as_key('anon');
select throws_ok($$select * from public.quota_status(tests.model_id('Code Review Copilot'))$$,
  '42501', null, 'anon cannot call quota_status');

select * from finish();
rollback;
