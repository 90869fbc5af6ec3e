begin;
\ir ../helpers.psql
select plan(22);

-- ---------------------------------------------------------------------------
-- The seed document's verification queries
-- ---------------------------------------------------------------------------
select is(
  (select count(*)::int from information_schema.tables
   where table_schema = 'public'
     and table_name in ('ai_models_system', 'org_system_model_config', 'ai_model_usage')),
  3,
  'verification: the three seed-document tables exist'
);
select is(
  (select count(*)::int from information_schema.columns
   where table_schema = 'public' and table_name = 'organizations'
     and column_name in ('pricing_plan', 'token_quota_monthly', 'token_usage_current', 'token_reset_date')),
  4,
  'verification: organizations has the four plan/quota columns'
);
select is(
  (select count(*)::int from pg_tables
   where schemaname = 'public' and rowsecurity
     and tablename in ('ai_models_system', 'org_system_model_config', 'ai_model_usage')),
  3,
  'verification: row level security is on for the three tables'
);
select cmp_ok(
  (select count(*)::int from pg_policies
   where schemaname = 'public'
     and tablename in ('ai_models_system', 'org_system_model_config', 'ai_model_usage')),
  '>=', 10,
  'verification: at least ten policies on the three tables'
);
select is(
  (select count(*)::int from public.ai_models_system), 6,
  'verification: six sample models'
);
select results_eq(
  $$select name, organization_types, required_plan from public.ai_models_system order by name$$,
  $$values
    ('Clinical Notes Summariser', array['healthcare', 'doctor'], 'pro'),
    ('Code Review Copilot', array['software'], 'enterprise'),
    ('Financial Report Analyst', array['finance', 'accounting', 'consulting'], 'pro'),
    ('General Writing Assistant', array[]::text[], 'free'),
    ('Immigration Case Assistant', array['immigration', 'solicitor'], 'starter'),
    ('Legal Document Drafter', array['solicitor', 'immigration', 'consulting'], 'starter')$$,
  'verification: each sample model with its targets and required plan'
);

-- ---------------------------------------------------------------------------
-- Sample models cover every kind of model
-- ---------------------------------------------------------------------------
select is(
  (select array_agg(distinct required_plan order by required_plan) from public.ai_models_system),
  array['enterprise', 'free', 'pro', 'starter'],
  'required plans span free to enterprise'
);
select is(
  (select array_agg(distinct token_limit_period order by token_limit_period) from public.ai_models_system),
  array['daily', 'monthly', 'weekly'],
  'limits use every period'
);
select is(
  (select count(*)::int from public.ai_models_system where token_limit_amount is null), 1,
  'exactly one sample model is unlimited'
);
select is(
  (select name from public.ai_models_system where is_free), 'General Writing Assistant',
  'the free model is the general writing assistant'
);
select is(
  (select name || ':' || trial_expires_days from public.ai_models_system where is_trial),
  'Clinical Notes Summariser:14',
  'the trial model runs 14 days'
);
select cmp_ok(
  (select count(distinct cardinality(task))::int from public.ai_models_system), '>', 1,
  'task counts vary between models'
);
select ok(
  (select bool_and(cardinality(task) >= 2) from public.ai_models_system),
  'every model lists several tasks'
);
select is(
  (select count(*)::int from private.model_api_keys where is_placeholder), 6,
  'every sample API key is a stored placeholder'
);
select ok(
  (select bool_and(api_key = 'set') from public.ai_models_system),
  'the api_key column only says a key is set'
);

-- ---------------------------------------------------------------------------
-- Organizations and accounts
-- ---------------------------------------------------------------------------
select results_eq(
  $$select slug, name, type, pricing_plan from public.organizations order by id$$,
  $$values
    ('acme-law', 'Acme Law LLP', 'solicitor', 'free'),
    ('bright-visas', 'Bright Visas', 'immigration', 'starter'),
    ('summit-finance', 'Summit Finance', 'finance', 'pro'),
    ('nova-software', 'Nova Software', 'software', 'enterprise'),
    ('pulse-health', 'Pulse Health Clinic', 'healthcare', 'pro')$$,
  'five organizations across all four plans'
);
select results_eq(
  $$select o.slug, p.role, count(*)::int from public.profiles p
    join public.organizations o on o.id = p.organization_id
    group by o.slug, p.role order by o.slug, p.role$$,
  $$select s, r, c from unnest(array['acme-law', 'bright-visas', 'nova-software', 'pulse-health', 'summit-finance']) s
    cross join (values ('admin', 1), ('user', 2)) v(r, c) order by s, r$$,
  'each organization has one admin and two users'
);
select is(
  (select p.role || ':' || coalesce(p.organization_id::text, 'none') from public.profiles p
   join auth.users u on u.id = p.id where u.email = 'superadmin@example.test'),
  'superadmin:none',
  'one superadmin, outside every organization'
);
select is(
  (select count(*)::int from auth.users u
   where u.encrypted_password = extensions.crypt('aimodels-dev-password', u.encrypted_password)
     and u.encrypted_password like '$2a$%'
     and u.email_confirmed_at is not null
     and u.aud = 'authenticated'
     and u.role = (select private.api_role_for(p.role) from public.profiles p where p.id = u.id)
     and u.raw_app_meta_data = '{"provider":"email","providers":["email"]}'::jsonb),
  16,
  'sixteen confirmed accounts with the bcrypt development password, each token''s role its profile''s'
);
select is(
  (select count(*)::int from auth.identities i join auth.users u on u.id = i.user_id
   where i.provider = 'email' and i.provider_id = u.id::text
     and i.identity_data ->> 'sub' = u.id::text
     and i.identity_data ->> 'email' = u.email
     and (i.identity_data ->> 'email_verified')::boolean),
  16,
  'every account has its email identity'
);
select is(
  (select count(*)::int from auth.users u
   where u.email ~ '^(superadmin@example\.test|(admin|user1|user2)@[a-z-]+\.example\.test)$'),
  16,
  'emails follow the documented pattern'
);
select is(
  (select count(*)::int from public.org_system_model_config c
   join public.ai_models_system m on m.id = c.system_model_id
   where c.is_enabled_for_users and m.is_trial),
  1,
  'one organization has the trial model enabled'
);

select * from finish();
rollback;
