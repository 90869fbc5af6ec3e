begin;
\ir ../helpers.psql
select plan(14);

-- The catalog and the model settings are read through one policy per role: every signed-in
-- caller reads the models they may see and their own organization's settings; a superadmin,
-- signed in as aimodels_superadmin, reads everything, gated on the profile.

-- What there is, as the owner.
create temporary table every_model as select id from public.ai_models_system;
create temporary table every_setting as select id from public.org_system_model_config;
create temporary table bright_visas_settings as
  select id from public.org_system_model_config
  where organization_id = tests.org_id('bright-visas');
grant select on every_model, every_setting, bright_visas_settings to authenticated;

-- ---------------------------------------------------------------------------
-- Each role's reach
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select set_eq('select id from public.ai_models_system', 'select id from every_model',
  'a superadmin reads every model');
select set_eq('select id from public.org_system_model_config', 'select id from every_setting',
  'a superadmin reads every organization''s model settings');

select tests.authenticate_as('admin@bright-visas.example.test');
select set_eq(
  'select name from public.ai_models_system',
  array['Legal Document Drafter', 'Immigration Case Assistant', 'General Writing Assistant'],
  'an admin reads the models their organization sees'
);
select set_eq('select id from public.org_system_model_config',
  'select id from bright_visas_settings', 'an admin reads their organization''s model settings');

select tests.authenticate_as('user1@bright-visas.example.test');
select set_eq(
  'select name from public.ai_models_system',
  array['Immigration Case Assistant', 'General Writing Assistant'],
  'a user reads the models they may use'
);
select set_eq('select id from public.org_system_model_config',
  'select id from bright_visas_settings', 'a user reads their organization''s model settings');
select tests.clear_authentication();

-- A profile left without an organization (a member whose organization was deleted) reads
-- no settings.
update public.profiles set organization_id = null
where id = tests.user_id('user2@bright-visas.example.test');
select tests.authenticate_as('user2@bright-visas.example.test');
select is_empty('select 1 from public.org_system_model_config',
  'no organization: no model settings are read');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- A role claim grants no more than the profile
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@pulse-health.example.test', 'aimodels_superadmin');
select is_empty('select 1 from public.ai_models_system',
  'a user whose token claims the superadmin''s role reads no model');
select is_empty('select 1 from public.org_system_model_config',
  'a user whose token claims the superadmin''s role reads no model settings');
select tests.clear_authentication();

-- A token issued before a promotion reads what it read before, until the next token.
update public.profiles set role = 'superadmin'
where id = tests.user_id('user1@bright-visas.example.test');
select tests.authenticate_as('user1@bright-visas.example.test', 'authenticated');
select set_eq('select id from public.org_system_model_config',
  'select id from bright_visas_settings',
  'a token from before a promotion to superadmin reads its organization''s settings only');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- One helper per policy for every signed-in caller
-- ---------------------------------------------------------------------------
select is(
  (select array_agg(pg_get_expr(p.polqual, p.polrelid) order by c.relname)
   from pg_policy p join pg_class c on c.oid = p.polrelid
   where c.relname in ('ai_models_system', 'org_system_model_config')
     and p.polcmd = 'r'
     and p.polroles = array['authenticated'::regrole::oid]),
  array[
    '(id = ANY (( SELECT private.readable_model_ids() AS readable_model_ids)::uuid[]))',
    '(organization_id = ( SELECT private.current_org_id() AS current_org_id))'
  ],
  'the catalog and the settings are read by one condition on one helper'
);
select hasnt_function('private', 'least_readable_org_id', 'the settings'' lower bound is gone');
select hasnt_function('private', 'greatest_readable_org_id', 'the settings'' upper bound is gone');
select hasnt_function('private', 'readable_org_ids', 'the array of readable organizations is gone');

select * from finish();
rollback;
