begin;
\ir ../helpers.psql
select plan(29);

-- private.org_model_access holds the catalog rules' answers per (organization, model),
-- kept by triggers. After every kind of change to what the rules read, the stored rows must
-- equal the rules computed afresh (private.org_model_access_rows), row for row; a few
-- answers are also checked by name so a wrong rule cannot hide behind a matching copy.

-- Rows stored but not derivable, or derivable but not stored (both must stay 0).
create or replace function tests.access_drift() returns bigint
language sql stable security definer set search_path = '' as $$
  select count(*) from (
    (select * from private.org_model_access
     except all select * from private.org_model_access_rows(null, null))
    union all
    (select * from private.org_model_access_rows(null, null)
     except all select * from private.org_model_access)
  ) d
$$;

create or replace function tests.access(org text, model text) returns private.org_model_access
language sql stable security definer set search_path = '' as $$
  select a.* from private.org_model_access a
  where a.organization_id = tests.org_id(org) and a.model_id = tests.model_id(model)
$$;

select is(tests.access_drift(), 0::bigint, 'after the seed, the facts equal the rules');
select is((select count(*) from private.org_model_access),
  (select count(*) from public.organizations) * (select count(*) from public.ai_models_system),
  'one row per organization and model');

-- ---------------------------------------------------------------------------
-- Catalog: insert, update, delete
-- ---------------------------------------------------------------------------
insert into public.ai_models_system (name, role, organization_types, required_plan, is_free)
values ('Access Test Model', 'assistant', '{healthcare}', 'starter', true);
select is(tests.access_drift(), 0::bigint, 'a catalog insert adds the model''s facts everywhere');
select ok((tests.access('pulse-health', 'Access Test Model')).is_visible,
  'the new model is visible to a healthcare org on a high enough plan');
select ok(not (tests.access('bright-visas', 'Access Test Model')).is_visible,
  'and not to an immigration org');

update public.ai_models_system set organization_types = '{immigration}'
where name = 'Access Test Model';
select is(tests.access_drift(), 0::bigint, 'retargeting a model updates its facts');
select ok((tests.access('bright-visas', 'Access Test Model')).is_visible,
  'the retargeted model is visible to the immigration org');

update public.ai_models_system set required_plan = 'enterprise' where name = 'Access Test Model';
select ok(not (tests.access('bright-visas', 'Access Test Model')).is_visible,
  'raising the required plan hides it from a starter org');
update public.ai_models_system set required_plan = 'free', is_active = false
where name = 'Access Test Model';
select ok(not (tests.access('bright-visas', 'Access Test Model')).is_visible,
  'an inactive model is visible to nobody');
update public.ai_models_system set is_active = true, is_free = false, token_limit_amount = 700
where name = 'Access Test Model';
select is((tests.access('bright-visas', 'Access Test Model')).token_limit, 700::bigint,
  'the model''s limit becomes the effective limit');
select is(tests.access_drift(), 0::bigint, 'after plan, activity and limit changes, the facts equal the rules');

-- ---------------------------------------------------------------------------
-- Settings: insert, update, delete
-- ---------------------------------------------------------------------------
insert into public.org_system_model_config (organization_id, system_model_id, is_enabled_for_users, token_limit_per_user)
values (tests.org_id('bright-visas'), tests.model_id('Access Test Model'), true, 300);
select is(tests.access_drift(), 0::bigint, 'enabling (a settings insert) updates the facts');
select ok(tests.is_model_usable_by_user(tests.user_id('user1@bright-visas.example.test'),
  tests.model_id('Access Test Model')), 'the enabled model is usable by the org''s user');
select is((tests.access('bright-visas', 'Access Test Model')).token_limit, 300::bigint,
  'the org''s tighter per-user limit is the effective limit');

update public.org_system_model_config set is_enabled_for_users = false
where organization_id = tests.org_id('bright-visas') and system_model_id = tests.model_id('Access Test Model');
select ok(not tests.is_model_usable_by_user(tests.user_id('user1@bright-visas.example.test'),
  tests.model_id('Access Test Model')), 'disabling makes it unusable');
select is(tests.access_drift(), 0::bigint, 'a settings update keeps the facts equal to the rules');

delete from public.org_system_model_config
where organization_id = tests.org_id('bright-visas') and system_model_id = tests.model_id('Access Test Model');
select is(tests.access_drift(), 0::bigint, 'a settings delete keeps the facts equal to the rules');
select is((tests.access('bright-visas', 'Access Test Model')).token_limit, 700::bigint,
  'without settings the model''s own limit applies again');

-- ---------------------------------------------------------------------------
-- Organizations: insert, type and plan change, delete
-- ---------------------------------------------------------------------------
insert into public.organizations (id, slug, name, type, pricing_plan)
values ('00000000-0000-0000-0035-000000000001', 'access-clinic', 'Access Clinic', 'healthcare', 'free');
select is(tests.access_drift(), 0::bigint, 'a new organization gets its facts');
select ok(not (tests.access('access-clinic', 'Clinical Notes Summariser')).is_visible,
  'a free healthcare org does not see a pro model');
update public.organizations set pricing_plan = 'pro' where slug = 'access-clinic';
select ok((tests.access('access-clinic', 'Clinical Notes Summariser')).is_visible,
  'upgrading the plan makes it visible');
update public.organizations set type = 'finance' where slug = 'access-clinic';
select ok(not (tests.access('access-clinic', 'Clinical Notes Summariser')).is_visible,
  'changing the type hides a model aimed at the old type');
select is(tests.access_drift(), 0::bigint, 'after type and plan changes, the facts equal the rules');
delete from public.organizations where slug = 'access-clinic';
select is((select count(*) from private.org_model_access
  where organization_id = '00000000-0000-0000-0035-000000000001'), 0::bigint,
  'a deleted organization''s facts go with it');

-- ---------------------------------------------------------------------------
-- Trials: start, and expiry by the clock alone
-- ---------------------------------------------------------------------------
update private.org_model_first_enabled set first_enabled_at = now() - interval '14 days' + interval '1 second'
where organization_id = tests.org_id('pulse-health')
  and system_model_id = tests.model_id('Clinical Notes Summariser');
select is(tests.access_drift(), 0::bigint, 'moving a trial''s start updates its end');
select ok(tests.is_model_usable_by_user(tests.user_id('user1@pulse-health.example.test'),
  tests.model_id('Clinical Notes Summariser')), 'one second before its end the trial is usable');
-- No write happens between now and two seconds later: the stored instant alone decides.
select ok(
  not ((tests.access('pulse-health', 'Clinical Notes Summariser')).usable_until > now() + interval '2 seconds')
  and tests.model_id('Clinical Notes Summariser')
    = any (private.expired_trial_model_ids(tests.org_id('pulse-health'), now() + interval '2 seconds')),
  'two seconds later, with no write and no job, the trial has ended for every reader');

-- ---------------------------------------------------------------------------
-- Catalog delete, and the whole table rebuilt from scratch
-- ---------------------------------------------------------------------------
delete from public.ai_models_system where name = 'Access Test Model';
select is(tests.access_drift(), 0::bigint, 'a catalog delete removes the model''s facts');
delete from private.org_model_access;
select private.refresh_org_model_access(null, null);
select is(tests.access_drift(), 0::bigint, 'a full rebuild (after a bulk load) restores every fact');

select * from finish();
rollback;
