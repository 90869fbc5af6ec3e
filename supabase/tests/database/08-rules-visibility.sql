begin;
\ir ../helpers.psql
select plan(21);

-- ---------------------------------------------------------------------------
-- Plans
-- ---------------------------------------------------------------------------
select results_eq(
  $$select private.plan_rank(p) from unnest(array['free', 'starter', 'pro', 'enterprise']) p$$,
  $$values (0), (1), (2), (3)$$,
  'plans rank free 0 < starter 1 < pro 2 < enterprise 3'
);
select is(private.plan_rank('platinum'), null, 'an unknown plan has no rank');
select cmp_ok(cardinality(private.organization_type_slugs()), '>=', 20, 'twenty or more organization types');

-- ---------------------------------------------------------------------------
-- Visible to an org: active, type targeted (or all), plan high enough
-- ---------------------------------------------------------------------------
select results_eq(
  $$select o.slug, array_agg(m.name order by m.name)
    from public.organizations o cross join public.ai_models_system m
    where private.is_model_visible_to_org(o.id, m.id)
    group by o.slug order by o.slug$$,
  $$values
    ('acme-law', array['General Writing Assistant']),
    ('bright-visas', array['General Writing Assistant', 'Immigration Case Assistant', 'Legal Document Drafter']),
    ('nova-software', array['Code Review Copilot', 'General Writing Assistant']),
    ('pulse-health', array['Clinical Notes Summariser', 'General Writing Assistant']),
    ('summit-finance', array['Financial Report Analyst', 'General Writing Assistant'])$$,
  'visibility of the seeded catalog per organization'
);
select ok(
  not private.is_model_visible_to_org(tests.org_id('acme-law'), tests.model_id('Legal Document Drafter')),
  'a targeted type on too low a plan does not see the model (solicitor on free, model needs starter)'
);
update public.organizations set pricing_plan = 'starter' where slug = 'acme-law';
select ok(
  private.is_model_visible_to_org(tests.org_id('acme-law'), tests.model_id('Legal Document Drafter')),
  'an upgrade to the required plan makes it visible'
);
update public.organizations set pricing_plan = 'enterprise' where slug = 'acme-law';
select ok(
  not private.is_model_visible_to_org(tests.org_id('acme-law'), tests.model_id('Code Review Copilot')),
  'a higher plan does not reveal a model targeted at another type'
);
select ok(
  private.is_model_visible_to_org(tests.org_id('acme-law'), tests.model_id('General Writing Assistant')),
  'an empty target list means every type'
);
update public.ai_models_system set is_active = false where name = 'General Writing Assistant';
select ok(
  not private.is_model_visible_to_org(tests.org_id('acme-law'), tests.model_id('General Writing Assistant')),
  'an inactive model is visible to nobody'
);
update public.ai_models_system set is_active = true where name = 'General Writing Assistant';
select ok(
  not private.is_model_visible_to_org(tests.org_id('acme-law'), extensions.gen_random_uuid()),
  'an unknown model is not visible'
);

-- ---------------------------------------------------------------------------
-- Usable by a user: visible, enabled, trial not expired
-- ---------------------------------------------------------------------------
select ok(
  tests.is_model_usable_by_user(tests.user_id('user1@bright-visas.example.test'), tests.model_id('Immigration Case Assistant')),
  'visible and enabled: usable'
);
select ok(
  not tests.is_model_usable_by_user(tests.user_id('user1@bright-visas.example.test'), tests.model_id('Legal Document Drafter')),
  'visible but disabled: not usable'
);
select ok(
  not tests.is_model_usable_by_user(tests.user_id('user1@pulse-health.example.test'), tests.model_id('General Writing Assistant')),
  'visible but never configured: not usable'
);
-- Enabled for an org that no longer sees the model (plan downgrade): not usable.
update public.organizations set pricing_plan = 'free' where slug = 'bright-visas';
select ok(
  not tests.is_model_usable_by_user(tests.user_id('user1@bright-visas.example.test'), tests.model_id('Immigration Case Assistant')),
  'enabled but no longer visible: not usable'
);
update public.organizations set pricing_plan = 'starter' where slug = 'bright-visas';
select ok(
  not tests.is_model_usable_by_user(tests.user_id('superadmin@example.test'), tests.model_id('General Writing Assistant')),
  'a user without an organization can use nothing'
);

-- ---------------------------------------------------------------------------
-- usable_models(): the caller's usable models, no key, featured first then sort order
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@nova-software.example.test');
select results_eq(
  $$select name, is_featured, sort_order from public.usable_models()$$,
  $$values ('General Writing Assistant'::text, true, 0), ('Code Review Copilot'::text, false, 40)$$,
  'usable_models lists featured first, then by sort_order'
);
select is_empty(
  $$select 1 from information_schema.routines r
    join information_schema.parameters p on p.specific_name = r.specific_name
    where r.routine_schema = 'public' and r.routine_name = 'usable_models' and p.parameter_name ilike '%key%'$$,
  'usable_models has no API key column'
);
select results_eq(
  $$select effective_token_limit from public.usable_models() where name = 'Code Review Copilot'$$,
  $$values (1000000::bigint)$$,
  'usable_models reports the effective limit'
);
select tests.authenticate_as('user1@bright-visas.example.test');
select results_eq(
  $$select name, effective_token_limit from public.usable_models()$$,
  $$values ('General Writing Assistant'::text, null::bigint), ('Immigration Case Assistant'::text, 20000::bigint)$$,
  'bright-visas users: the free model unlimited, Immigration at the admin''s tighter 20000'
);
select tests.authenticate_as('admin@bright-visas.example.test');
select is((select count(*)::int from public.usable_models()), 2,
  'usable_models for an admin is the org''s usable set, not the visible set');
select tests.authenticate_as('superadmin@example.test');
select is_empty($$select * from public.usable_models()$$, 'a superadmin without an organization has no usable models');

select * from finish();
rollback;
