begin;
\ir ../helpers.psql
select plan(20);

-- The usage read policies have one indexable arm per kind of caller (own rows, the
-- administered organization, every row for a superadmin, each for its own role), and
-- superadmins read a range across organizations through usage_across_orgs().

-- Usage in two organizations and a hold, so each arm has rows to show or to hide.
select tests.authenticate_as('user1@bright-visas.example.test');
select public.reserve_usage(tests.model_id('Immigration Case Assistant'), 10);
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- The arms' helpers
-- ---------------------------------------------------------------------------
select hasnt_function('private', 'usage_report_org_ids', 'the old scope array is gone (no caller)');

select hasnt_function('private', 'superadmin_org_ids', 'the superadmin''s scope array is gone (no caller)');
select hasnt_function('private', 'superadmin_usage_since', 'the superadmin arm''s date bound is gone (no caller)');

-- ---------------------------------------------------------------------------
-- Each role reads what the contract says, through the new arms
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
select tests.keep_owner_views();

select tests.authenticate_as('user1@bright-visas.example.test');
select set_eq($$select id from public.ai_model_usage$$,
  format('select id from owner_view where user_id = %L', tests.user_id('user1@bright-visas.example.test')),
  'a user reads exactly their own usage');
select set_eq($$select id from public.usage_reservations$$,
  format('select id from owner_holds where user_id = %L', tests.user_id('user1@bright-visas.example.test')),
  'a user reads exactly their own holds');

select tests.authenticate_as('admin@bright-visas.example.test');
select set_eq($$select id from public.ai_model_usage$$,
  format('select id from owner_view where organization_id = %L', tests.org_id('bright-visas')),
  'an admin reads exactly their organization''s usage');
select set_eq($$select id from public.usage_reservations$$,
  format('select id from owner_holds where organization_id = %L', tests.org_id('bright-visas')),
  'an admin reads exactly their organization''s holds');

select tests.authenticate_as('superadmin@example.test');
select set_eq($$select id from public.ai_model_usage$$, $$select id from owner_view$$,
  'a superadmin reads all usage');
select set_eq($$select id from public.usage_reservations$$, $$select id from owner_holds$$,
  'a superadmin reads all holds');

-- Not vacuous: the seed has usage in more than one organization.
select cmp_ok((select count(distinct organization_id)::int from owner_view), '>', 1,
  'usage in several organizations');

-- ---------------------------------------------------------------------------
-- Every arm is indexable: with sequential scans priced out, no role's month read scans the
-- log (one bare boolean arm would force a scan of the whole log for everybody).
-- ---------------------------------------------------------------------------
create or replace function pg_temp.scans_log(email text) returns boolean
language plpgsql as $$
declare
  plan text;
begin
  set local enable_seqscan = off;
  plan := tests.plan_as(email, $q$select model_id, sum(tokens_used) from public.ai_model_usage
    where created_at >= now() - interval '30 days' group by model_id$q$);
  reset enable_seqscan;
  return plan ~ '"Node Type": "Seq Scan"[^}]*"Relation Name": "ai_model_usage"';
end;
$$;

select is(pg_temp.scans_log('user1@bright-visas.example.test'), false, 'a user''s month read uses an index');
select is(pg_temp.scans_log('admin@bright-visas.example.test'), false, 'an admin''s month read uses an index');
select is(pg_temp.scans_log('superadmin@example.test'), false, 'a superadmin''s month read uses an index');

-- ---------------------------------------------------------------------------
-- usage_across_orgs(): superadmins (and the platform) only; by created_at
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
create temporary table expected_across as
  select u.organization_id, u.model_id, sum(u.tokens_used)::bigint as tokens,
    sum(u.requests_count)::bigint as requests, count(*)::bigint as records
  from public.ai_model_usage u
  where u.created_at >= now() - interval '1 day'
  group by 1, 2;
grant select on expected_across to authenticated, service_role;

select tests.authenticate_as('superadmin@example.test');
select set_eq($$select * from public.usage_across_orgs(now() - interval '1 day')$$,
  $$select * from expected_across$$, 'a superadmin gets the totals per organization and model');
select cmp_ok((select count(distinct organization_id)::int from public.usage_across_orgs()), '>', 1,
  'open bounds: every organization''s usage');
select throws_ok($$select * from public.usage_across_orgs(now(), now() - interval '1 day')$$,
  'AM009', null, 'since after until is refused');

select tests.authenticate_as_key('service_role');
select set_eq($$select * from public.usage_across_orgs(now() - interval '1 day')$$,
  $$select * from expected_across$$, 'the platform (service_role) gets the same totals');

select tests.authenticate_as('admin@bright-visas.example.test');
select throws_ok($$select * from public.usage_across_orgs()$$, '42501', null, 'an admin is refused');
select tests.authenticate_as('user1@bright-visas.example.test');
select throws_ok($$select * from public.usage_across_orgs()$$, '42501', null, 'a user is refused');
select tests.authenticate_as_key('anon');
select throws_ok($$select * from public.usage_across_orgs()$$, '42501', null, 'anon is refused');

select * from finish();
rollback;
