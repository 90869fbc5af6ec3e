/**
  * Development seed: six sample system models, five organizations (every plan, several types)
  * and their test accounts, model settings and a little usage. Loaded by `supabase db reset`
  * after the migrations. Local development only.
  *
  * Password of every test account: aimodels-dev-password
  *
  * Deterministic ids (tests refer to them):
  *
  *   organizations 00000000-0000-0000-0001-00000000000N
  *     N  slug            name                  type         plan        quota/month
  *     1  acme-law        Acme Law LLP          solicitor    free        unlimited
  *     2  bright-visas    Bright Visas          immigration  starter     100000
  *     3  summit-finance  Summit Finance        finance      pro         500000
  *     4  nova-software   Nova Software         software     enterprise  unlimited
  *     5  pulse-health    Pulse Health Clinic   healthcare   pro         250000
  *
  *   users 00000000-0000-0000-0002-0000000000NR  (N = organization, R = 0 admin, 1 user1, 2 user2)
  *     superadmin@example.test        00000000-0000-0000-0002-000000000000  (superadmin, no org)
  *     admin@<slug>.example.test      ...-0000000000N0
  *     user1@<slug>.example.test      ...-0000000000N1
  *     user2@<slug>.example.test      ...-0000000000N2
  *
  *   models 00000000-0000-0000-0003-00000000000M
  *     M  name                        targets                          plan        limit              flags
  *     1  Legal Document Drafter      solicitor, immigration, consult. starter     200000 / monthly
  *     2  Immigration Case Assistant  immigration, solicitor           starter     50000 / weekly
  *     3  Financial Report Analyst    finance, accounting, consulting  pro         20000 / daily      featured
  *     4  General Writing Assistant   all types                        free        unlimited          free, featured
  *     5  Code Review Copilot         software                         enterprise  1000000 / monthly
  *     6  Clinical Notes Summariser   healthcare, doctor               pro         10000 / daily      trial 14 days
  *
  *   settings (org_system_model_config)
  *     acme-law        General Writing enabled                  (Legal Drafter not visible: free plan)
  *     bright-visas    Immigration enabled, token_limit_per_user 20000 (tighter than 50000);
  *                     General Writing enabled; Legal Drafter visible but left off (disabled row)
  *     summit-finance  Financial Analyst enabled; General Writing disabled
  *     nova-software   Code Review enabled; General Writing enabled
  *     pulse-health    Clinical Notes (trial) enabled; General Writing not configured
  *
  * API keys are placeholders ('sk-placeholder-...'), stored encrypted by the capture trigger;
  * `aimodels verify` reports them as placeholders.
  *
  * Usage history is recorded through public.record_usage() as each user (claims set the way
  * PostgREST sets them), so it passes every check and charges the org quotas; nothing bypasses
  * the admission trigger, and the append-only trigger holds as always.
  */

-- ---------------------------------------------------------------------------
-- Section - Organizations
-- ---------------------------------------------------------------------------
insert into public.organizations (id, slug, name, type, pricing_plan, token_quota_monthly)
values
  ('00000000-0000-0000-0001-000000000001', 'acme-law', 'Acme Law LLP', 'solicitor', 'free', null),
  ('00000000-0000-0000-0001-000000000002', 'bright-visas', 'Bright Visas', 'immigration', 'starter', 100000),
  ('00000000-0000-0000-0001-000000000003', 'summit-finance', 'Summit Finance', 'finance', 'pro', 500000),
  ('00000000-0000-0000-0001-000000000004', 'nova-software', 'Nova Software', 'software', 'enterprise', null),
  ('00000000-0000-0000-0001-000000000005', 'pulse-health', 'Pulse Health Clinic', 'healthcare', 'pro', 250000);

-- ---------------------------------------------------------------------------
-- Section - Test accounts (real GoTrue rows: bcrypt password, confirmed email, identity)
-- ---------------------------------------------------------------------------
create temporary table seed_accounts (
  id uuid primary key,
  email text not null,
  organization_id uuid,
  role text not null,
  display_name text not null
);

insert into seed_accounts (id, email, organization_id, role, display_name)
select
  ('00000000-0000-0000-0002-0000000000' || o.n || r.n)::uuid,
  r.prefix || '@' || o.slug || '.example.test',
  ('00000000-0000-0000-0001-00000000000' || o.n)::uuid,
  r.role,
  r.label || ' (' || o.name || ')'
from (values
  (1, 'acme-law', 'Acme Law LLP'),
  (2, 'bright-visas', 'Bright Visas'),
  (3, 'summit-finance', 'Summit Finance'),
  (4, 'nova-software', 'Nova Software'),
  (5, 'pulse-health', 'Pulse Health Clinic')
) as o(n, slug, name)
cross join (values
  (0, 'admin', 'admin', 'Admin'),
  (1, 'user1', 'user', 'User 1'),
  (2, 'user2', 'user', 'User 2')
) as r(n, prefix, role, label)
union all
select
  '00000000-0000-0000-0002-000000000000'::uuid, 'superadmin@example.test', null, 'superadmin',
  'Platform Superadmin';

insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change
)
select
  '00000000-0000-0000-0000-000000000000', a.id, 'authenticated', 'authenticated', a.email,
  extensions.crypt('aimodels-dev-password', extensions.gen_salt('bf')), now(),
  '{"provider":"email","providers":["email"]}'::jsonb,
  jsonb_build_object('display_name', a.display_name), now(), now(),
  '', '', '', ''
from seed_accounts a;

insert into auth.identities (
  provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at
)
select
  a.id::text, a.id,
  jsonb_build_object('sub', a.id::text, 'email', a.email, 'email_verified', true),
  'email', now(), now(), now()
from seed_accounts a;

insert into public.profiles (id, organization_id, role, display_name)
select a.id, a.organization_id, a.role, a.display_name
from seed_accounts a;

-- ---------------------------------------------------------------------------
-- Section - System models (API keys go to the encrypted store via the capture trigger)
-- ---------------------------------------------------------------------------
insert into public.ai_models_system (
  id, name, role, task, system_message, api_key, endpoint, max_tokens, icon,
  organization_types, required_plan, token_limit_period, token_limit_amount,
  is_free, is_trial, trial_expires_days, is_active, is_featured, description, tags, sort_order
)
values
  (
    '00000000-0000-0000-0003-000000000001', 'Legal Document Drafter', 'Legal drafting assistant',
    array['Draft contracts', 'Review clauses', 'Summarise case law', 'Prepare client letters'],
    'You draft precise, plain-English legal documents under English and Welsh law. Flag anything that needs a solicitor''s review.',
    'sk-placeholder-legal-document-drafter', 'https://api.openai.com/v1/chat/completions', 4096, 'scale',
    array['solicitor', 'immigration', 'consulting'], 'starter', 'monthly', 200000,
    false, false, null, true, false,
    'Drafts and reviews contracts, letters and pleadings.', array['legal', 'drafting'], 10
  ),
  (
    '00000000-0000-0000-0003-000000000002', 'Immigration Case Assistant', 'Immigration caseworker',
    array['Check visa eligibility', 'Build document checklists', 'Draft cover letters'],
    'You help immigration advisers prepare visa applications. Cite the relevant Immigration Rules paragraph.',
    'sk-placeholder-immigration-case-assistant', 'https://api.anthropic.com/v1/messages', 4096, 'passport',
    array['immigration', 'solicitor'], 'starter', 'weekly', 50000,
    false, false, null, true, false,
    'Eligibility checks, checklists and cover letters for visa cases.', array['immigration', 'visas'], 20
  ),
  (
    '00000000-0000-0000-0003-000000000003', 'Financial Report Analyst', 'Financial analyst',
    array['Analyse statements', 'Explain variances', 'Draft board summaries', 'Flag risks', 'Build forecasts'],
    'You analyse financial statements and explain them to non-specialists, showing your working.',
    'sk-placeholder-financial-report-analyst', 'https://api.openai.com/v1/chat/completions', 8192, 'chart-line',
    array['finance', 'accounting', 'consulting'], 'pro', 'daily', 20000,
    false, false, null, true, true,
    'Reads statements and management accounts; writes summaries.', array['finance', 'analysis'], 30
  ),
  (
    '00000000-0000-0000-0003-000000000004', 'General Writing Assistant', 'Writing assistant',
    array['Draft emails', 'Proofread', 'Summarise documents', 'Rewrite for tone'],
    'You help people write clearly and concisely.',
    'sk-placeholder-general-writing-assistant', 'https://api.openai.com/v1/chat/completions', 2048, 'pen',
    '{}', 'free', 'monthly', null,
    true, false, null, true, true,
    'Everyday writing help for every organization, free of charge.', array['writing', 'general'], 0
  ),
  (
    '00000000-0000-0000-0003-000000000005', 'Code Review Copilot', 'Senior code reviewer',
    array['Review pull requests', 'Suggest tests'],
    'You review code for correctness, security and readability, and suggest concrete changes.',
    'sk-placeholder-code-review-copilot', 'https://api.anthropic.com/v1/messages', 8192, 'code',
    array['software'], 'enterprise', 'monthly', 1000000,
    false, false, null, true, false,
    'Pull request reviews and test suggestions.', array['software', 'review'], 40
  ),
  (
    '00000000-0000-0000-0003-000000000006', 'Clinical Notes Summariser', 'Clinical documentation assistant',
    array['Summarise consultations', 'Draft referral letters', 'Extract medications'],
    'You summarise clinical notes accurately. Never invent findings; mark anything uncertain.',
    'sk-placeholder-clinical-notes-summariser', 'https://api.openai.com/v1/chat/completions', 4096, 'stethoscope',
    array['healthcare', 'doctor'], 'pro', 'daily', 10000,
    false, true, 14, true, false,
    'Consultation summaries and referral letters; 14-day trial.', array['healthcare', 'trial'], 50
  );

-- ---------------------------------------------------------------------------
-- Section - Organization settings per model
-- ---------------------------------------------------------------------------
insert into public.org_system_model_config (
  organization_id, system_model_id, is_enabled_for_users, token_limit_per_user
)
values
  ('00000000-0000-0000-0001-000000000001', '00000000-0000-0000-0003-000000000004', true, null),
  ('00000000-0000-0000-0001-000000000002', '00000000-0000-0000-0003-000000000002', true, 20000),
  ('00000000-0000-0000-0001-000000000002', '00000000-0000-0000-0003-000000000004', true, null),
  ('00000000-0000-0000-0001-000000000002', '00000000-0000-0000-0003-000000000001', false, null),
  ('00000000-0000-0000-0001-000000000003', '00000000-0000-0000-0003-000000000003', true, null),
  ('00000000-0000-0000-0001-000000000003', '00000000-0000-0000-0003-000000000004', false, null),
  ('00000000-0000-0000-0001-000000000004', '00000000-0000-0000-0003-000000000005', true, null),
  ('00000000-0000-0000-0001-000000000004', '00000000-0000-0000-0003-000000000004', true, null),
  ('00000000-0000-0000-0001-000000000005', '00000000-0000-0000-0003-000000000006', true, null);

-- ---------------------------------------------------------------------------
-- Section - Usage history (through record_usage, as each user: every check applies)
-- ---------------------------------------------------------------------------
do $$
declare
  entry record;
begin
  for entry in
    select * from (values
      ('00000000-0000-0000-0002-000000000011'::uuid, '00000000-0000-0000-0003-000000000004'::uuid, 1200, 2),
      ('00000000-0000-0000-0002-000000000012'::uuid, '00000000-0000-0000-0003-000000000004'::uuid, 300, 1),
      ('00000000-0000-0000-0002-000000000021'::uuid, '00000000-0000-0000-0003-000000000002'::uuid, 5000, 3),
      ('00000000-0000-0000-0002-000000000022'::uuid, '00000000-0000-0000-0003-000000000002'::uuid, 2500, 1),
      ('00000000-0000-0000-0002-000000000031'::uuid, '00000000-0000-0000-0003-000000000003'::uuid, 3000, 2),
      ('00000000-0000-0000-0002-000000000041'::uuid, '00000000-0000-0000-0003-000000000005'::uuid, 12000, 4),
      ('00000000-0000-0000-0002-000000000042'::uuid, '00000000-0000-0000-0003-000000000005'::uuid, 8000, 2),
      ('00000000-0000-0000-0002-000000000051'::uuid, '00000000-0000-0000-0003-000000000006'::uuid, 2000, 1)
    ) as u(user_id, model_id, tokens, requests)
  loop
    perform set_config(
      'request.jwt.claims',
      json_build_object('sub', entry.user_id, 'role', 'authenticated')::text,
      true
    );
    perform public.record_usage(entry.model_id, entry.tokens, entry.requests);
  end loop;
  perform set_config('request.jwt.claims', '', true);
end
$$;

drop table seed_accounts;
