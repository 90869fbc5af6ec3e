begin;
\ir ../helpers.psql
select plan(17);

-- Bright Visas: 100000 tokens a month. Set a known state for the test.
update public.organizations
set token_quota_monthly = 1000, token_usage_current = 900, token_reset_date = private.next_quota_reset(now())
where slug = 'bright-visas';
update public.org_system_model_config set token_limit_per_user = null
where organization_id = tests.org_id('bright-visas');

-- ---------------------------------------------------------------------------
-- The quota caps the org's non-free tokens
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@bright-visas.example.test');
select throws_ok($$select public.record_usage(tests.model_id('Immigration Case Assistant'), 101)$$,
  'AM005', null, 'a use past the org quota fails with org_quota_exceeded');
select is((select org_tokens_remaining from public.record_usage(tests.model_id('Immigration Case Assistant'), 60)),
  40::bigint, 'record_usage reports the org tokens left');
select tests.authenticate_as('user2@bright-visas.example.test');
select is((select org_tokens_remaining from public.record_usage(tests.model_id('Immigration Case Assistant'), 40)),
  0::bigint, 'the quota is shared by the organization''s users and may be used exactly');
select throws_ok($$select public.record_usage(tests.model_id('Immigration Case Assistant'), 1)$$,
  'AM005', null, 'a colleague is refused once the org quota is spent');
select lives_ok($$select public.record_usage(tests.model_id('General Writing Assistant'), 1)$$,
  'free models keep working on a spent quota');
select results_eq(
  $$select org_quota, org_used, org_remaining from public.quota_status(tests.model_id('Immigration Case Assistant'))$$,
  $$values (1000::bigint, 1000::bigint, 0::bigint)$$,
  'quota_status shows the spent org quota'
);

select tests.clear_authentication();
select is((select token_usage_current from public.organizations where slug = 'bright-visas'), 1000::bigint,
  'the org counter holds exactly the admitted non-free tokens');

-- Unlimited quota
update public.organizations set token_quota_monthly = null where slug = 'bright-visas';
select tests.authenticate_as('user2@bright-visas.example.test');
select is((select org_tokens_remaining from public.record_usage(tests.model_id('Immigration Case Assistant'), 500)),
  null::bigint, 'a null quota is unlimited (remaining reported as null)');

-- ---------------------------------------------------------------------------
-- Lazy reset on the first use after the reset date
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
update public.organizations
set token_quota_monthly = 1000, token_usage_current = 1000, token_reset_date = now() - interval '1 second'
where slug = 'bright-visas';
select tests.authenticate_as('user1@bright-visas.example.test');
select results_eq(
  $$select org_used, org_remaining, org_reset_at from public.quota_status(tests.model_id('Immigration Case Assistant'))$$,
  $$values (0::bigint, 1000::bigint, private.next_quota_reset(now()))$$,
  'past the reset date, quota_status already shows a fresh month'
);
select is((select org_tokens_remaining from public.record_usage(tests.model_id('Immigration Case Assistant'), 300)),
  700::bigint, 'the first use after the reset date resets the counter, then counts');
select tests.clear_authentication();
select results_eq(
  $$select token_usage_current, token_reset_date from public.organizations where slug = 'bright-visas'$$,
  $$values (300::bigint, private.next_quota_reset(now()))$$,
  'the lazy reset moved the reset date to the next month start'
);

-- ---------------------------------------------------------------------------
-- reset_org_quotas(): the scheduler's idempotent sweep
-- ---------------------------------------------------------------------------
update public.organizations set token_usage_current = 42, token_reset_date = now() - interval '1 day'
where slug in ('acme-law', 'nova-software');
select is(public.reset_org_quotas(), 2, 'the sweep resets every organization whose period ended');
select is(public.reset_org_quotas(), 0, 'a second sweep finds nothing to do (idempotent)');
select results_eq(
  $$select slug, token_usage_current, token_reset_date = private.next_quota_reset(now())
    from public.organizations where slug in ('acme-law', 'bright-visas', 'nova-software') order by slug$$,
  $$values ('acme-law', 0::bigint, true), ('bright-visas', 300::bigint, true), ('nova-software', 0::bigint, true)$$,
  'reset organizations start at 0; others keep their usage'
);

select tests.authenticate_as_key('service_role');
select lives_ok($$select public.reset_org_quotas()$$, 'service_role may run the sweep');
select tests.authenticate_as('superadmin@example.test');
select throws_ok($$select public.reset_org_quotas()$$, '42501', null, 'signed-in users (even superadmins) may not');
select tests.authenticate_as_key('anon');
select throws_ok($$select public.reset_org_quotas()$$, '42501', null, 'anon may not');

select * from finish();
rollback;
