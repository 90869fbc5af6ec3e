begin;
\ir ../helpers.psql
select plan(90);

-- ---------------------------------------------------------------------------
-- Tables and columns
-- ---------------------------------------------------------------------------
select tables_are(
  'public',
  array['organizations', 'profiles', 'ai_models_system', 'org_system_model_config', 'ai_model_usage',
        'invitations', 'usage_reservations'],
  'public holds exactly the six product tables and the usage holds'
);
select tables_are(
  'private',
  array['org_model_first_enabled', 'model_api_keys', 'app_secrets', 'usage_period_totals',
        'usage_hold_settings', 'refusal_codes', 'org_model_access'],
  'private holds trial starts, the encrypted secrets, the per-window usage counters, the hold settings, the refusal catalogue and the per-organization model facts'
);

select columns_are('public', 'organizations', array[
  'id', 'slug', 'name', 'type', 'pricing_plan', 'token_quota_monthly', 'token_usage_current',
  'token_reset_date', 'created_at', 'updated_at'
], 'organizations has the base and quota columns');
select columns_are('public', 'profiles', array[
  'id', 'organization_id', 'role', 'display_name', 'avatar_url', 'created_at', 'updated_at',
  'deleted_at'
], 'profiles has identity, org, role, display columns and the tombstone mark');
select columns_are('public', 'ai_models_system', array[
  'id', 'name', 'role', 'task', 'system_message', 'api_key', 'endpoint', 'max_tokens', 'icon',
  'organization_types', 'required_plan', 'token_limit_period', 'token_limit_amount', 'is_free',
  'is_trial', 'trial_expires_days', 'is_active', 'is_featured', 'description', 'tags',
  'sort_order', 'created_at', 'updated_at'
], 'ai_models_system has the seed document''s columns');
select columns_are('public', 'org_system_model_config', array[
  'id', 'organization_id', 'system_model_id', 'is_enabled_for_users', 'token_limit_per_user',
  'created_at', 'updated_at'
], 'org_system_model_config has the seed document''s columns');
select columns_are('public', 'ai_model_usage', array[
  'id', 'user_id', 'organization_id', 'model_id', 'model_type', 'model_name', 'tokens_used',
  'requests_count', 'period_start', 'period_end', 'period_type', 'created_at'
], 'ai_model_usage has the seed document''s columns');

select col_type_is('public', 'ai_models_system', 'task', 'text[]', 'task holds several tasks');
select col_type_is('public', 'ai_models_system', 'organization_types', 'text[]', 'organization_types is text[]');
select col_type_is('public', 'ai_models_system', 'tags', 'text[]', 'tags is text[]');
select col_type_is('public', 'organizations', 'token_quota_monthly', 'bigint', 'quota is bigint');
select col_is_null('public', 'organizations', 'token_quota_monthly', 'a null quota means unlimited');
select col_is_null('public', 'ai_models_system', 'token_limit_amount', 'a null limit means unlimited');
select col_not_null('public', 'organizations', 'token_reset_date', 'every org has a next reset');
select col_default_is('public', 'organizations', 'pricing_plan', 'free', 'new orgs start on free');
select col_default_is('public', 'ai_model_usage', 'requests_count', '1', 'one request by default');

-- ---------------------------------------------------------------------------
-- Keys and constraints
-- ---------------------------------------------------------------------------
select col_is_pk('public', 'organizations', 'id', 'organizations keyed by id');
select col_is_pk('public', 'profiles', 'id', 'profiles keyed by the auth user id');
select col_is_pk('public', 'ai_models_system', 'id', 'models keyed by id');
select col_is_pk('public', 'org_system_model_config', 'id', 'settings keyed by id');
select col_is_pk('public', 'ai_model_usage', 'id', 'usage keyed by id');
select col_is_unique('public', 'organizations', 'slug', 'org slugs are unique');
select col_is_unique('public', 'org_system_model_config', array['organization_id', 'system_model_id'],
  'one settings row per (org, model)');

select is_empty(
  $$select conname from pg_constraint
    where conrelid = 'public.profiles'::regclass and confrelid = 'auth.users'::regclass$$,
  'a profile outlives its auth user as a tombstone (no foreign key to auth.users)'
);
select has_trigger('auth', 'users', 'on_auth_user_deleted_retire_profile',
  'deleting an auth user tombstones or deletes its profile');
select fk_ok('public', 'profiles', 'organization_id', 'public', 'organizations', 'id', 'a profile points at its org');
select fk_ok('public', 'org_system_model_config', 'organization_id', 'public', 'organizations', 'id', 'settings belong to an org');
select fk_ok('public', 'org_system_model_config', 'system_model_id', 'public', 'ai_models_system', 'id', 'settings name a model');
select fk_ok('public', 'ai_model_usage', 'user_id', 'public', 'profiles', 'id', 'usage names its user');
select fk_ok('public', 'ai_model_usage', 'organization_id', 'public', 'organizations', 'id', 'usage names its org');

select is(
  (select array_agg(c.conname || ':' || c.confdeltype::text order by c.conname) from pg_constraint c
   where c.contype = 'f' and c.connamespace = 'public'::regnamespace),
  array[
    'ai_model_usage_organization_id_fkey:r',
    'ai_model_usage_user_id_fkey:r',
    'invitations_accepted_by_fkey:n',
    'invitations_invited_by_fkey:n',
    'invitations_organization_id_fkey:c',
    'org_system_model_config_organization_id_fkey:c',
    'org_system_model_config_system_model_id_fkey:c',
    'profiles_organization_id_fkey:n',
    'usage_reservations_model_id_fkey:c',
    'usage_reservations_organization_id_fkey:c',
    'usage_reservations_user_id_fkey:c'
  ],
  'foreign keys: usage restricts deletes (audit), settings and holds cascade'
);

select throws_ok(
  $$insert into public.organizations (slug, name, type) values ('x-org', 'X', 'astrology')$$,
  '23514', null, 'an unknown organization type is rejected'
);
select throws_ok(
  $$insert into public.organizations (slug, name, type, pricing_plan) values ('x-org', 'X', 'retail', 'gold')$$,
  '23514', null, 'an unknown pricing plan is rejected'
);
select throws_ok(
  $$insert into public.organizations (slug, name, type, token_quota_monthly) values ('x-org', 'X', 'retail', -1)$$,
  '23514', null, 'a negative quota is rejected'
);
select throws_ok(
  $$update public.organizations set token_usage_current = -5 where slug = 'acme-law'$$,
  '23514', null, 'negative usage is rejected'
);
select throws_ok(
  $$insert into public.profiles (id, role) values (tests.user_id('superadmin@example.test'), 'owner')$$,
  '23514', null, 'an unknown profile role is rejected'
);
select throws_ok(
  $$insert into public.ai_models_system (name, required_plan) values ('X', 'platinum')$$,
  '23514', null, 'an unknown required plan is rejected'
);
select throws_ok(
  $$insert into public.ai_models_system (name, token_limit_period) values ('X', 'hourly')$$,
  '23514', null, 'an unknown limit period is rejected'
);
select throws_ok(
  $$insert into public.ai_models_system (name, token_limit_amount) values ('X', -1)$$,
  '23514', null, 'a negative token limit is rejected'
);
select throws_ok(
  $$insert into public.ai_models_system (name, organization_types) values ('X', array['astrology'])$$,
  '23514', null, 'a model cannot target an unknown organization type'
);
select throws_ok(
  $$insert into public.ai_models_system (name, is_trial) values ('X', true)$$,
  '23514', null, 'a trial needs a length in days'
);
select throws_ok(
  $$update public.org_system_model_config set token_limit_per_user = -1$$,
  '23514', null, 'a negative per-user limit is rejected'
);
select throws_ok(
  $$insert into public.org_system_model_config (organization_id, system_model_id)
    values (tests.org_id('nova-software'), tests.model_id('Code Review Copilot'))$$,
  '23505', null, 'a second settings row for the same (org, model) is rejected'
);

-- ---------------------------------------------------------------------------
-- Indexes: every policy predicate and hot query
-- ---------------------------------------------------------------------------
select has_index('public', 'profiles', 'profiles_organization_id_idx', array['organization_id'],
  'profiles indexed by organization (admin policy, foreign key)');
select has_index('public', 'org_system_model_config', 'org_system_model_config_system_model_id_idx',
  array['system_model_id'], 'settings indexed by model (foreign key)');
select has_index('public', 'ai_model_usage', 'ai_model_usage_user_model_created_idx',
  array['user_id', 'model_id', 'created_at'], 'usage indexed for the own-usage policy and limit sums');
select has_index('public', 'ai_model_usage', 'ai_model_usage_organization_created_id_idx',
  array['organization_id', 'created_at', 'id'],
  'usage indexed for the org-admin policy, and an organization''s pages in their order');
select has_index('public', 'ai_model_usage', 'ai_model_usage_user_created_id_idx',
  array['user_id', 'created_at', 'id'],
  'usage indexed for the own-rows policy arm with a date range, and a user''s pages in their order');
select has_index('public', 'ai_model_usage', 'ai_model_usage_created_at_idx',
  array['created_at'], 'usage indexed by date for reports across organizations');
select has_index('public', 'ai_model_usage', 'ai_model_usage_created_tokens_idx',
  array['created_at', 'tokens_used'], 'usage indexed by date for the superadmin policy arm and its hint');
-- Any other index holding the hint's column could serve the arm by the hint, not the date.
select is(
  (select array_agg(c.relname::text) from pg_index i
   join pg_class c on c.oid = i.indexrelid
   join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
   where i.indrelid = 'public.ai_model_usage'::regclass and a.attname = 'tokens_used'),
  array['ai_model_usage_created_tokens_idx'],
  'only the date index holds tokens_used, the superadmin arm''s hint');
select col_is_pk('private', 'usage_period_totals',
  array['user_id', 'model_id', 'period_start', 'period_end'],
  'one usage counter per (user, model, limit window)');
select has_index('public', 'organizations', 'organizations_token_reset_date_idx',
  array['token_reset_date'], 'orgs indexed for the quota reset sweep');
select has_index('public', 'ai_models_system', 'ai_models_system_catalog_order_idx',
  'models indexed in catalog order');
select has_index('private', 'org_model_first_enabled', 'org_model_first_enabled_system_model_id_idx',
  array['system_model_id'], 'trial starts indexed by model (foreign key)');

select is_empty(
  $$select c.conrelid::regclass::text, c.conname
    from pg_constraint c
    where c.contype = 'f'
      and c.connamespace in ('public'::regnamespace, 'private'::regnamespace)
      and not exists (
        select 1 from pg_index i
        where i.indrelid = c.conrelid
          and (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] = c.conkey
      )$$,
  'every foreign key has a covering index'
);

-- ---------------------------------------------------------------------------
-- Row level security and privileges
-- ---------------------------------------------------------------------------
select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c
   where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and c.relrowsecurity),
  array['ai_model_usage', 'ai_models_system', 'invitations', 'org_system_model_config',
        'organizations', 'profiles', 'usage_reservations'],
  'row level security is enabled on every public table'
);
select is_empty(
  $$select c.relname from pg_class c
    where c.relnamespace in ('public'::regnamespace, 'graphql_public'::regnamespace)
      and c.relkind in ('r', 'p') and not c.relrowsecurity$$,
  'no table in an exposed schema lacks row level security'
);
select is(
  (select count(*)::int from pg_policies where schemaname = 'public'),
  32,
  'thirty-two policies: one per table and action (invitations and holds: read only); the usage'
  ' log''s, the holds'', the catalog''s and the model settings'' reads one per kind of caller'
  ' and a gate on the superadmin''s; a gate on the admin''s reads of the usage log and holds'
);
select is_empty(
  $$select policyname from pg_policies where schemaname = 'public'
    and roles not in ('{authenticated}', '{aimodels_admin}', '{aimodels_superadmin}')$$,
  'every policy is for signed-in callers only: authenticated or a role of its members (anon gets none)'
);
select is_empty(
  $$select tablename, cmd, roles from pg_policies
    where schemaname = 'public' and permissive = 'PERMISSIVE'
    group by tablename, cmd, roles having count(*) > 1$$,
  'at most one permissive policy per table, action and role'
);
select is_empty(
  $$select tablename, policyname from pg_policies
    where schemaname = 'public' and roles <> '{authenticated}'
      and (tablename, cmd) not in (('ai_model_usage', 'SELECT'), ('usage_reservations', 'SELECT'),
        ('ai_models_system', 'SELECT'), ('org_system_model_config', 'SELECT'))$$,
  'only the reads of the usage log, the holds, the catalog and the model settings have'
  ' policies per kind of caller'
);
select is_empty(
  $$select p.tablename, p.cmd, p.roles from pg_policies p
    join (values
      ('{aimodels_superadmin}'::name[], '( SELECT private.is_superadmin() AS is_superadmin)'),
      ('{aimodels_admin}'::name[],
       '(organization_id = ( SELECT private.administered_org_id() AS administered_org_id))')
    ) as gate (roles, qual) on gate.roles = p.roles
    where p.schemaname = 'public' and p.permissive = 'PERMISSIVE'
      and not exists (
        select from pg_policies g
        where g.schemaname = 'public' and g.tablename = p.tablename and g.cmd = p.cmd
          and g.roles = p.roles and g.permissive = 'RESTRICTIVE' and g.qual = gate.qual)$$,
  'every policy of the superadmin''s role stands behind a restrictive gate on the profile,'
  ' and every one of the admin''s behind a gate on the administered organization'
);
select is(
  (select array_agg(p.roles[1] || ': ' || p.qual order by p.roles[1], p.tablename)
   from pg_policies p
   where p.schemaname = 'public' and p.permissive = 'PERMISSIVE'
     and p.roles in ('{aimodels_admin}', '{aimodels_superadmin}')),
  array['aimodels_admin: true', 'aimodels_admin: true', 'aimodels_superadmin: true',
        'aimodels_superadmin: true', 'aimodels_superadmin: true', 'aimodels_superadmin: true'],
  'not vacuous: both roles read whole (the admin the usage log and the holds), behind the gates'
);
select set_eq(
  $$select r.rolname::text from pg_roles r
    where pg_has_role(r.oid, 'authenticated', 'USAGE') and not r.rolsuper
      and r.rolname not in ('authenticated', 'postgres', 'supabase_admin', 'authenticator')$$,
  array['aimodels_admin', 'aimodels_superadmin'],
  'the roles an admin''s and a superadmin''s tokens carry inherit authenticated''s rights'
);
select ok(
  pg_has_role('authenticator', 'aimodels_admin', 'MEMBER')
  and pg_has_role('authenticator', 'aimodels_superadmin', 'MEMBER')
  and not (select rolcanlogin from pg_roles where rolname = 'aimodels_admin')
  and not (select rolcanlogin from pg_roles where rolname = 'aimodels_superadmin'),
  'the API may switch to them; nobody logs in as them'
);
select is_empty(
  $$select c.relname, p.privilege_type
    from pg_class c, lateral aclexplode(c.relacl) a
    join lateral (select a.privilege_type) p on true
    where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
      and a.grantee = 'anon'::regrole$$,
  'anon holds no privilege on any public table'
);
select is_empty(
  $$select c.relname, a.privilege_type
    from pg_class c, lateral aclexplode(c.relacl) a
    where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
      and a.grantee = 'authenticated'::regrole
      and a.privilege_type in ('TRUNCATE', 'REFERENCES', 'TRIGGER')$$,
  'authenticated cannot truncate (RLS does not govern truncate), reference or trigger'
);
select table_privs_are('public', 'ai_model_usage', 'authenticated', array['SELECT', 'INSERT'],
  'signed-in users may only read and append usage');
select is_empty(
  $$select c.relname, a.grantee::regrole::text
    from pg_class c, lateral aclexplode(c.relacl) a
    where c.relnamespace = 'private'::regnamespace and c.relkind = 'r'
      and a.grantee in ('anon'::regrole, 'authenticated'::regrole, 'service_role'::regrole, 0)$$,
  'no API role holds any privilege on private tables'
);
select schema_privs_are('private', 'anon', array[]::text[], 'anon cannot even see the private schema');

-- ---------------------------------------------------------------------------
-- Functions: fixed search_path, definer only where needed, exposure
-- ---------------------------------------------------------------------------
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
      and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c = 'search_path=""')$$,
  'every function of ours pins search_path to empty'
);
select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc p
   where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'),
  array['accept_invitation', 'clean_up_usage_holds', 'get_model_api_key', 'invite_member',
        'org_usage_rows', 'own_usage_rows', 'quota_status', 'record_usage', 'release_usage',
        'remove_member', 'reserve_usage', 'reset_org_quotas', 'revoke_invitation',
        'set_model_api_key', 'settle_usage', 'usable_models', 'usage_across_orgs',
        'usage_report', 'visible_model_id'],
  'public exposes only the nineteen API functions'
);
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
      and has_function_privilege('anon', p.oid, 'execute')$$,
  'anon can execute none of our functions'
);
select ok(
  not has_function_privilege('authenticated', 'public.reset_org_quotas()', 'execute')
  and has_function_privilege('service_role', 'public.reset_org_quotas()', 'execute'),
  'only service_role (and postgres) may run the quota reset'
);
select ok(
  has_function_privilege('authenticated', 'public.record_usage(uuid, integer, integer, text)', 'execute')
  and has_function_privilege('authenticated', 'public.usable_models()', 'execute')
  and has_function_privilege('authenticated', 'public.quota_status(uuid)', 'execute'),
  'signed-in users may call record_usage, usable_models and quota_status'
);
select ok(
  not has_function_privilege('authenticated', 'private.model_key_encryption_key()', 'execute')
  and not has_function_privilege('service_role', 'private.model_key_encryption_key()', 'execute'),
  'no API role can call the encryption key function'
);
select is(
  (select p.prosecdef from pg_proc p where p.oid = 'public.record_usage(uuid, integer, integer, text)'::regprocedure),
  false,
  'record_usage runs as the invoker, so its insert passes row level security'
);
select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc p
   where p.pronamespace = 'private'::regnamespace and not p.prosecdef),
  array['api_role_for', 'caller_id', 'check_usage_page', 'check_user_limit_applies', 'effective_limit',
        'expired_trial_model_ids', 'forbid_usage_changes', 'hold_result',
        'is_api_role', 'is_platform_or_superadmin_request', 'is_platform_request',
        'is_privileged_writer',
        'is_trial_expired', 'model_targets_org', 'new_org_slug', 'next_quota_reset',
        'normalized_email', 'org_model_access_rows', 'organization_type_slugs',
        'period_window', 'plan_rank', 'protect_model_config_keys',
        'protect_organization_fields', 'protect_profile_fields', 'refuse_org_quota',
        'refuse_user_limit', 'time_ordered_uuid', 'touch_updated_at', 'trial_ends_at',
        'usable_until', 'usage_receipt', 'vetted_signup_org'],
  'private helpers run as the invoker unless they must read past row level security'
);

select is_empty(
  $$select p.polname from pg_policy p where length(p.polname) >= 63$$,
  'every policy name fits in an identifier (63 bytes), so none is truncated'
);

-- ---------------------------------------------------------------------------
-- Triggers
-- ---------------------------------------------------------------------------
select has_trigger('public', 'ai_model_usage', 'ai_model_usage_admit', 'usage inserts are admitted by a trigger');
select hasnt_trigger('public', 'ai_model_usage', 'ai_model_usage_charge', 'no second trigger charges the rows again');
select is(
  (select array_agg(t.tgname || ':' || case when t.tgtype & 2 = 2 then 'before' else 'after' end
     || case when t.tgtype & 1 = 1 then ' row' else ' statement' end order by t.tgname)
   from pg_trigger t
   where t.tgrelid = 'public.ai_model_usage'::regclass and t.tgtype & 4 = 4 and not t.tgisinternal),
  array['ai_model_usage_admit:before row'],
  'each inserted row is checked and charged by one trigger before it is written (a retried id is skipped before either)'
);
select has_trigger('public', 'ai_model_usage', 'ai_model_usage_append_only', 'usage updates/deletes are refused');
select has_trigger('public', 'ai_model_usage', 'ai_model_usage_no_truncate', 'usage truncates are refused');
select is(
  (select array_agg(t.tgname || ':' || t.tgenabled::text order by t.tgname) from pg_trigger t
   where t.tgrelid = 'public.ai_model_usage'::regclass and not t.tgisinternal),
  array['ai_model_usage_admit:O', 'ai_model_usage_append_only:A', 'ai_model_usage_no_truncate:A'],
  'append-only triggers fire ALWAYS, even in replica mode; the admission and its charge do not (bulk loads)'
);
select has_trigger('public', 'organizations', 'organizations_protect_fields', 'org fields protected');
select has_trigger('public', 'profiles', 'profiles_protect_fields', 'profile fields protected');
select has_trigger('public', 'org_system_model_config', 'org_system_model_config_record_first_enable',
  'first enable recorded for trials');
select has_trigger('public', 'ai_models_system', 'ai_models_system_0_capture_api_key',
  'API keys captured into the encrypted store');

select * from finish();
rollback;
