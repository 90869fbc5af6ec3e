begin;
\ir ../helpers.psql
select plan(27);

-- ---------------------------------------------------------------------------
-- Period windows (UTC): daily 00:00, weekly Monday 00:00 (ISO), monthly the 1st
-- ---------------------------------------------------------------------------
select results_eq($$select * from private.period_window('daily', '2025-06-10 23:59:59.999999+00')$$,
  $$values ('2025-06-10 00:00+00'::timestamptz, '2025-06-11 00:00+00'::timestamptz)$$,
  'daily: the last microsecond belongs to the day');
select results_eq($$select * from private.period_window('daily', '2025-06-11 00:00:00+00')$$,
  $$values ('2025-06-11 00:00+00'::timestamptz, '2025-06-12 00:00+00'::timestamptz)$$,
  'daily: midnight UTC starts a new day');
select results_eq($$select * from private.period_window('daily', '2025-06-11 01:30:00+02')$$,
  $$values ('2025-06-10 00:00+00'::timestamptz, '2025-06-11 00:00+00'::timestamptz)$$,
  'daily: days are UTC days, whatever the input offset');
select results_eq($$select * from private.period_window('weekly', '2025-06-15 23:59:59+00')$$,
  $$values ('2025-06-09 00:00+00'::timestamptz, '2025-06-16 00:00+00'::timestamptz)$$,
  'weekly: Sunday night belongs to the week that began on Monday');
select results_eq($$select * from private.period_window('weekly', '2025-06-16 00:00:00+00')$$,
  $$values ('2025-06-16 00:00+00'::timestamptz, '2025-06-23 00:00+00'::timestamptz)$$,
  'weekly: Monday 00:00 UTC starts a new week');
select results_eq($$select * from private.period_window('weekly', '2021-01-03 12:00:00+00')$$,
  $$values ('2020-12-28 00:00+00'::timestamptz, '2021-01-04 00:00+00'::timestamptz)$$,
  'weekly: ISO weeks span the new year');
select results_eq($$select * from private.period_window('monthly', '2024-02-29 23:59:59+00')$$,
  $$values ('2024-02-01 00:00+00'::timestamptz, '2024-03-01 00:00+00'::timestamptz)$$,
  'monthly: a leap-year February ends on 1 March');
select results_eq($$select * from private.period_window('monthly', '2025-12-31 23:00:00-05')$$,
  $$values ('2026-01-01 00:00+00'::timestamptz, '2026-02-01 00:00+00'::timestamptz)$$,
  'monthly: 23:00 at -05 on 31 December is already January in UTC');
select is(private.next_quota_reset('2025-12-15 10:00+00'), '2026-01-01 00:00+00'::timestamptz,
  'the org quota resets at the next UTC month start');

-- ---------------------------------------------------------------------------
-- Effective per-user limit: the smaller of model and admin limits
-- ---------------------------------------------------------------------------
select is(private.effective_user_limit(tests.org_id('bright-visas'), tests.model_id('Immigration Case Assistant')),
  20000::bigint, 'an admin limit below the model''s (20000 < 50000) applies');
update public.org_system_model_config set token_limit_per_user = 90000
where organization_id = tests.org_id('bright-visas') and system_model_id = tests.model_id('Immigration Case Assistant');
select is(private.effective_user_limit(tests.org_id('bright-visas'), tests.model_id('Immigration Case Assistant')),
  50000::bigint, 'an admin limit above the model''s cannot loosen it');
update public.org_system_model_config set token_limit_per_user = null
where organization_id = tests.org_id('bright-visas') and system_model_id = tests.model_id('Immigration Case Assistant');
select is(private.effective_user_limit(tests.org_id('bright-visas'), tests.model_id('Immigration Case Assistant')),
  50000::bigint, 'without an admin limit the model''s applies');
update public.ai_models_system set token_limit_amount = null where name = 'Immigration Case Assistant';
select is(private.effective_user_limit(tests.org_id('bright-visas'), tests.model_id('Immigration Case Assistant')),
  null::bigint, 'no limit on either side: unlimited');
update public.org_system_model_config set token_limit_per_user = 500
where organization_id = tests.org_id('bright-visas') and system_model_id = tests.model_id('Immigration Case Assistant');
select is(private.effective_user_limit(tests.org_id('bright-visas'), tests.model_id('Immigration Case Assistant')),
  500::bigint, 'an admin may limit an otherwise unlimited model');
update public.ai_models_system set token_limit_amount = 10 where name = 'General Writing Assistant';
update public.org_system_model_config set token_limit_per_user = 5
where organization_id = tests.org_id('bright-visas') and system_model_id = tests.model_id('General Writing Assistant');
select is(private.effective_user_limit(tests.org_id('bright-visas'), tests.model_id('General Writing Assistant')),
  null::bigint, 'free models have no token limit, whatever is configured');

-- ---------------------------------------------------------------------------
-- Enforcement at the period boundary (Financial Report Analyst: 20000 per UTC day)
-- ---------------------------------------------------------------------------
-- Yesterday's full allowance and today's first microsecond, written around the admission
-- trigger (superuser replica mode) to stand for history.
set local session_replication_role = replica;
insert into public.ai_model_usage (user_id, organization_id, model_id, model_name, tokens_used,
  period_start, period_end, period_type, created_at)
select tests.user_id('user2@summit-finance.example.test'), tests.org_id('summit-finance'),
  tests.model_id('Financial Report Analyst'), 'Financial Report Analyst', 20000,
  w.period_start - interval '1 day', w.period_start, 'daily', w.period_start - interval '1 microsecond'
from private.period_window('daily', now()) w;
insert into public.ai_model_usage (user_id, organization_id, model_id, model_name, tokens_used,
  period_start, period_end, period_type, created_at)
select tests.user_id('user2@summit-finance.example.test'), tests.org_id('summit-finance'),
  tests.model_id('Financial Report Analyst'), 'Financial Report Analyst', 1000,
  w.period_start, w.period_end, 'daily', w.period_start
from private.period_window('daily', now()) w;
set local session_replication_role = origin;

select tests.authenticate_as('user2@summit-finance.example.test');
select results_eq(
  $$select tokens_used, tokens_remaining from public.quota_status(tests.model_id('Financial Report Analyst'))$$,
  $$values (1000::bigint, 19000::bigint)$$,
  'usage at the period start counts, usage one microsecond earlier does not'
);
select lives_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 18000)$$,
  'recording within the limit succeeds');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1001)$$,
  'AM004', null, 'one token past the daily limit fails with user_limit_exceeded');
select is((select user_tokens_remaining from public.record_usage(tests.model_id('Financial Report Analyst'), 1000)),
  0::bigint, 'reaching the limit exactly is allowed and leaves 0');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1)$$,
  'AM004', null, 'nothing more once the limit is reached');
select is((select count(*)::int from public.ai_model_usage where user_id = tests.user_id('user2@summit-finance.example.test')),
  4, 'failed recordings appended nothing');

-- The limit is per user: a colleague still has their own allowance.
select tests.authenticate_as('user1@summit-finance.example.test');
select lives_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1000)$$,
  'limits are per user');

-- ---------------------------------------------------------------------------
-- An admin's tighter limit is enforced
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
update public.ai_models_system set token_limit_amount = 50000 where name = 'Immigration Case Assistant';
update public.org_system_model_config set token_limit_per_user = 100
where organization_id = tests.org_id('bright-visas') and system_model_id = tests.model_id('Immigration Case Assistant');
select tests.authenticate_as('user2@bright-visas.example.test');
select throws_ok($$select public.record_usage(tests.model_id('Immigration Case Assistant'), 101)$$,
  'AM004', null, 'the admin''s limit (100) binds below the model''s (50000)');

-- ---------------------------------------------------------------------------
-- Free models: no limits, not counted toward the org quota, but recorded
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
update public.organizations set token_quota_monthly = token_usage_current where slug = 'bright-visas';
create temporary table quota_before as
  select token_usage_current from public.organizations where slug = 'bright-visas';
select tests.authenticate_as('user2@bright-visas.example.test');
select lives_ok($$select public.record_usage(tests.model_id('General Writing Assistant'), 5000)$$,
  'a free model ignores its configured limits (10 and 5) ...');
select is((select tokens_used from public.ai_model_usage
  where user_id = tests.user_id('user2@bright-visas.example.test') and model_name = 'General Writing Assistant'),
  5000, '... and the use is recorded');
select tests.clear_authentication();
select is((select token_usage_current from public.organizations where slug = 'bright-visas'),
  (select token_usage_current from quota_before),
  'free usage does not count toward the org quota, even a full one');
select tests.authenticate_as('user2@bright-visas.example.test');
select results_eq(
  $$select user_tokens_remaining, org_tokens_remaining
    from public.record_usage(tests.model_id('General Writing Assistant'), 1)$$,
  $$values (null::bigint, null::bigint)$$,
  'record_usage on a free model reports no user limit and no org limit'
);

select * from finish();
rollback;
