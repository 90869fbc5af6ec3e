begin;
\ir ../helpers.psql
select plan(18);

-- Fixtures: Pulse Health enabled the 14-day Clinical Notes trial in the seed. A second
-- healthcare org on pro is made here to watch a trial start.
insert into public.organizations (id, slug, name, type, pricing_plan)
values ('00000000-0000-0000-0009-000000000100', 'derm-clinic', 'Derm Clinic', 'healthcare', 'pro');

create temporary table trial_model as select tests.model_id('Clinical Notes Summariser') as id;
grant select on trial_model to authenticated;

-- ---------------------------------------------------------------------------
-- A trial starts on the first enable, not on row creation
-- ---------------------------------------------------------------------------
insert into public.org_system_model_config (organization_id, system_model_id, is_enabled_for_users)
values ('00000000-0000-0000-0009-000000000100', (select id from trial_model), false);
select is(private.trial_end('00000000-0000-0000-0009-000000000100', (select id from trial_model)), null,
  'a disabled settings row starts no trial');
update public.org_system_model_config set is_enabled_for_users = true
where organization_id = '00000000-0000-0000-0009-000000000100';
select is(private.trial_end('00000000-0000-0000-0009-000000000100', (select id from trial_model)),
  now() + interval '14 days', 'enabling starts the trial: it ends trial_expires_days later');
select is(private.trial_end(tests.org_id('nova-software'), tests.model_id('Code Review Copilot')), null,
  'a non-trial model has no trial end');

-- ---------------------------------------------------------------------------
-- Disabling, deleting or re-creating never restarts a trial
-- ---------------------------------------------------------------------------
update private.org_model_first_enabled set first_enabled_at = now() - interval '10 days'
where organization_id = tests.org_id('pulse-health') and system_model_id = (select id from trial_model);

select is(private.trial_end(tests.org_id('pulse-health'), (select id from trial_model)), now() + interval '4 days',
  'ten days into a 14-day trial, four days remain');

update public.org_system_model_config set is_enabled_for_users = false
where organization_id = tests.org_id('pulse-health') and system_model_id = (select id from trial_model);
update public.org_system_model_config set is_enabled_for_users = true
where organization_id = tests.org_id('pulse-health') and system_model_id = (select id from trial_model);
select is(private.trial_end(tests.org_id('pulse-health'), (select id from trial_model)), now() + interval '4 days',
  'disabling and re-enabling does not restart the trial');

select tests.authenticate_as('admin@pulse-health.example.test');
select is(tests.affected_rows($$delete from public.org_system_model_config
  where system_model_id = (select id from trial_model)$$), 1, 'the admin deletes the trial''s settings row');
select lives_ok($$insert into public.org_system_model_config (organization_id, system_model_id, is_enabled_for_users)
  values (tests.org_id('pulse-health'), (select id from trial_model), true)$$,
  'and re-creates it enabled');
select tests.clear_authentication();
select is(private.trial_end(tests.org_id('pulse-health'), (select id from trial_model)), now() + interval '4 days',
  'deleting and re-creating the settings does not restart the trial');

-- ---------------------------------------------------------------------------
-- Expiry: exactly trial_expires_days after the first enable
-- ---------------------------------------------------------------------------
update private.org_model_first_enabled set first_enabled_at = now() - interval '14 days' + interval '1 second'
where organization_id = tests.org_id('pulse-health') and system_model_id = (select id from trial_model);
select ok(not private.is_trial_expired(tests.org_id('pulse-health'), (select id from trial_model)),
  'one second before the end the trial is running');
select ok(tests.is_model_usable_by_user(tests.user_id('user2@pulse-health.example.test'), (select id from trial_model)),
  'a running trial is usable');

update private.org_model_first_enabled set first_enabled_at = now() - interval '14 days'
where organization_id = tests.org_id('pulse-health') and system_model_id = (select id from trial_model);
select ok(private.is_trial_expired(tests.org_id('pulse-health'), (select id from trial_model)),
  'at the end instant the trial has expired');
select ok(not tests.is_model_usable_by_user(tests.user_id('user2@pulse-health.example.test'), (select id from trial_model)),
  'an expired trial is not usable');

select tests.authenticate_as('user2@pulse-health.example.test');
select throws_ok($$select public.record_usage((select id from trial_model), 10)$$,
  'AM003', null, 'record_usage on an expired trial fails with trial_expired');
select is_empty($$select 1 from public.usable_models()$$, 'usable_models drops the expired trial');
select is_empty($$select 1 from public.ai_models_system$$, 'the user no longer reads the expired trial model');
select is((select trial_ends_at from public.quota_status((select id from trial_model))), now(),
  'quota_status still reports when the trial ended');

select tests.authenticate_as('admin@pulse-health.example.test');
select isnt_empty($$select 1 from public.ai_models_system where id = (select id from trial_model)$$,
  'the admin still sees the (visible) trial model, e.g. to buy it');

-- Trial end is per organization: the other clinic's trial is untouched.
select tests.clear_authentication();
select ok(not private.is_trial_expired('00000000-0000-0000-0009-000000000100', (select id from trial_model)),
  'each organization has its own trial clock');

select * from finish();
rollback;
