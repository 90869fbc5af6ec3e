begin;
\ir ../helpers.psql
select plan(10);

-- An admin reads the usage log and the holds of the administered organization, and nothing
-- else: `using (true)` for aimodels_admin behind a restrictive gate on the organization, so
-- the OR with the own-rows policy (to authenticated) folds away at planning.

-- (pgTAP 40 shows an admin reads exactly the organization's usage and holds.)
select tests.keep_owner_views();

-- ---------------------------------------------------------------------------
-- The policies
-- ---------------------------------------------------------------------------
select policies_are('public', 'ai_model_usage', array[
  'users can record their own usage', 'users can read their own usage',
  'org admins can read usage behind their org''s gate',
  'an admin reads only the administered org''s usage',
  'superadmins can read all usage', 'only a superadmin reads as one'
], 'the usage log: own rows, the admin''s gate, the superadmin''s gate');
select policies_are('public', 'usage_reservations', array[
  'users can read their own holds', 'org admins can read holds behind their org''s gate',
  'an admin reads only the administered org''s holds',
  'superadmins can read all holds', 'only a superadmin reads holds as one'
], 'the holds: read like the usage log');

-- ---------------------------------------------------------------------------
-- Another organization's rows, asked for by name
-- ---------------------------------------------------------------------------
select cmp_ok(
  (select count(*)::int from owner_view where organization_id = tests.org_id('pulse-health')),
  '>', 0, 'not vacuous: the other organization has usage');
select tests.authenticate_as('admin@bright-visas.example.test');
select is_empty(
  format('select id from public.ai_model_usage where organization_id = %L',
    tests.org_id('pulse-health')),
  'asking for another organization by name reads nothing');

-- ---------------------------------------------------------------------------
-- An admin's own rows recorded in another organization stay there
-- ---------------------------------------------------------------------------
-- user1@bright-visas has usage there; a superadmin moves them to pulse-health as its admin.
select tests.clear_authentication();
select cmp_ok(
  (select count(*)::int from owner_view
   where user_id = tests.user_id('user1@bright-visas.example.test')
     and organization_id = tests.org_id('bright-visas')),
  '>', 0, 'the moved user has usage in their first organization');
update public.profiles
set organization_id = tests.org_id('pulse-health'), role = 'admin'
where id = tests.user_id('user1@bright-visas.example.test');

select tests.authenticate_as('user1@bright-visas.example.test', 'aimodels_admin');
select set_eq($$select id from public.ai_model_usage$$,
  format('select id from owner_view where organization_id = %L', tests.org_id('pulse-health')),
  'the moved admin reads the administered organization''s usage, not their rows elsewhere');
select set_eq($$select id from public.own_usage_rows()$$,
  format('select id from owner_view where user_id = %L',
    tests.user_id('user1@bright-visas.example.test')),
  'own_usage_rows() still returns all of their own usage');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- A role claim grants nothing the profile does not
-- ---------------------------------------------------------------------------
-- (pgTAP 51 shows such a token reads no usage and no hold.)
select tests.authenticate_as('user2@bright-visas.example.test', 'aimodels_admin');
select throws_ok(
  format('select public.record_usage(%L, 10)', tests.model_id('Immigration Case Assistant')),
  '42501', null,
  'a user whose token claims the admin role cannot record until the next token (the row is read back)');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- The admin's first page of the organization: one condition on the organization, as the
-- owner's query (with sequential scans priced out, the seed being small)
-- ---------------------------------------------------------------------------
create or replace function pg_temp.admin_page_plan() returns text
language plpgsql as $$
declare
  plan text;
begin
  set local enable_seqscan = off;
  plan := tests.plan_as('user1@bright-visas.example.test', format(
    $q$select * from public.ai_model_usage u where u.organization_id = %L
       and u.created_at >= now() - interval '30 days'
       order by u.created_at, u.id limit 1000$q$, tests.org_id('pulse-health')));
  reset enable_seqscan;
  return plan;
end;
$$;
select unalike(pg_temp.admin_page_plan(), '%user_id%',
  'the own-rows policy folds away: no condition on the user in the admin''s plan');
select unalike(pg_temp.admin_page_plan(), '%BitmapOr%', 'and no OR of two index scans');

select * from finish();
rollback;
