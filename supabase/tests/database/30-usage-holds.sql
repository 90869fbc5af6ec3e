begin;
\ir ../helpers.psql
select plan(36);

-- Usage holds: reserved like a recording, counted as used until settled, released or expired.
-- Immigration Case Assistant: bright-visas limits each user to 20000 tokens a week; user1 has
-- used 5000, user2 2500. The org quota is 100000 a month.

create or replace function pg_temp.immigration() returns uuid
language sql stable as $$ select tests.model_id('Immigration Case Assistant') $$;

create or replace function pg_temp.held(email text) returns bigint
language sql stable security definer as $$
  select private.user_tokens_held(tests.user_id(email), tests.model_id('Immigration Case Assistant'))
$$;

create or replace function pg_temp.org_used() returns bigint
language sql stable as $$
  select o.token_usage_current from public.organizations o where o.slug = 'bright-visas'
$$;

create temporary table before_holds as select pg_temp.org_used() as org_used;
grant select on before_holds to authenticated, service_role;
create temporary table holds (name text primary key, id uuid);
grant all on holds to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Reserving

select tests.authenticate_as('user1@bright-visas.example.test');
insert into holds select 'first', h.id from public.reserve_usage(pg_temp.immigration(), 10000) h;
select is((select tokens_held from public.usage_reservations where id = (select id from holds where name = 'first')),
  10000, 'reserve_usage holds the tokens asked for');
select is((select expires_at from public.usage_reservations where id = (select id from holds where name = 'first')),
  now() + interval '5 minutes', 'a hold expires after the default TTL of five minutes');
select is((select tokens_held from public.quota_status(pg_temp.immigration())), 10000::bigint,
  'quota_status shows the tokens held');
select is((select tokens_remaining from public.quota_status(pg_temp.immigration())), 5000::bigint,
  'the remaining tokens subtract the hold (20000 - 5000 used - 10000 held)');
select is((select org_held from public.quota_status(pg_temp.immigration())), 10000::bigint,
  'quota_status shows what the organization holds');
select throws_ok($$select public.reserve_usage(tests.model_id('Immigration Case Assistant'), 5001)$$,
  'AM004', null, 'an active hold counts as used: 5000 + 10000 held + 5001 passes the limit');
select throws_ok($$select public.record_usage(tests.model_id('Immigration Case Assistant'), 5001)$$,
  'AM004', null, 'a recording also counts the holds');
select lives_ok($$select public.reserve_usage(tests.model_id('Immigration Case Assistant'), 1)$$,
  'what fits beside the hold is admitted');
select tests.clear_authentication();

-- The org quota counts every member's holds.
update public.organizations set token_quota_monthly = token_usage_current + 12000
where slug = 'bright-visas';
select tests.authenticate_as('user2@bright-visas.example.test');
select throws_ok($$select public.reserve_usage(tests.model_id('Immigration Case Assistant'), 2000)$$,
  'AM005', null, 'the org quota counts user1''s holds (10001 held + 2000 > 12000)');
select tests.clear_authentication();
update public.organizations set token_quota_monthly = 100000 where slug = 'bright-visas';

-- Refusals are the recording's.
select tests.authenticate_as('admin@bright-visas.example.test');
select throws_ok($$select public.reserve_usage(tests.model_id('Immigration Case Assistant'), 10)$$,
  '42501', null, 'only users reserve (an admin gets 42501, as for a recording)');
select tests.clear_authentication();
select tests.authenticate_as('user1@bright-visas.example.test');
select throws_ok($$select public.reserve_usage(tests.model_id('Legal Document Drafter'), 10)$$,
  'AM002', null, 'a model the org has not enabled cannot be reserved');
select throws_ok($$select public.reserve_usage(tests.model_id('Code Review Copilot'), 10)$$,
  'AM001', null, 'a model not available to the org cannot be reserved');
select throws_ok($$select public.reserve_usage(tests.model_id('Immigration Case Assistant'), 0)$$,
  'AM006', null, 'a hold of no tokens is refused');
select lives_ok($$select public.reserve_usage(tests.model_id('General Writing Assistant'), 900000)$$,
  'a free model is admitted whatever the amount');
select is((select org_held from public.quota_status(pg_temp.immigration())), 10001::bigint,
  'a free model''s hold counts toward nothing');
select throws_ok($$insert into public.usage_reservations (user_id, organization_id, model_id, tokens_held, expires_at)
  values (auth.uid(), tests.org_id('bright-visas'), tests.model_id('Immigration Case Assistant'), 1, now() + interval '1 day')$$,
  '42501', null, 'nobody writes holds directly');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- Who may read, settle and release

select tests.authenticate_as('user2@bright-visas.example.test');
select is((select count(*) from public.usage_reservations where user_id = tests.user_id('user1@bright-visas.example.test')),
  0::bigint, 'a user does not read another user''s holds');
select throws_ok($$select public.settle_usage((select id from holds where name = 'first'), 10)$$,
  'AM010', null, 'a user cannot settle another user''s hold');
select throws_ok($$select public.release_usage((select id from holds where name = 'first'))$$,
  'AM010', null, 'a user cannot release another user''s hold');
select tests.clear_authentication();
select tests.authenticate_as('admin@bright-visas.example.test');
select cmp_ok((select count(*) from public.usage_reservations where user_id = tests.user_id('user1@bright-visas.example.test')),
  '>=', 1::bigint, 'the org admin reads the org''s holds (as they read its usage)');
select throws_ok($$select public.release_usage((select id from holds where name = 'first'))$$,
  'AM010', null, 'the org admin cannot release a user''s hold');
select tests.clear_authentication();
select tests.authenticate_as('admin@pulse-health.example.test');
select is((select count(*) from public.usage_reservations), 0::bigint,
  'another org''s admin reads none of them');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- Settling

select tests.authenticate_as('user1@bright-visas.example.test');
select is((select tokens_used from public.settle_usage((select id from holds where name = 'first'), 12000)),
  12000, 'settle_usage records the actual amount, even above the hold');
select tests.clear_authentication();
select is((select tokens_over_hold from public.usage_reservations where id = (select id from holds where name = 'first')),
  2000, 'the overage is measured');
select is(pg_temp.org_used(), (select org_used + 12000 from before_holds),
  'the settled amount is charged to the org quota once');
select tests.authenticate_as('user1@bright-visas.example.test');
select is((select tokens_used from public.settle_usage((select id from holds where name = 'first'), 7)),
  12000, 'a second settlement returns the first receipt');
select is((select count(*) from public.ai_model_usage where tokens_used = 12000), 1::bigint,
  'a hold settles at most once');
select throws_ok($$select public.release_usage((select id from holds where name = 'first'))$$,
  'AM011', null, 'a settled hold cannot be released');

-- ---------------------------------------------------------------------------
-- Releasing and expiry

insert into holds select 'second', h.id from public.reserve_usage(pg_temp.immigration(), 100) h;
select is((select status from public.release_usage((select id from holds where name = 'second'))),
  'released', 'release_usage ends a hold');
select throws_ok($$select public.settle_usage((select id from holds where name = 'second'), 10)$$,
  'AM011', null, 'a released hold cannot be settled');
select tests.clear_authentication();
select is(pg_temp.org_used(), (select org_used + 12000 from before_holds),
  'a released hold charges nothing');

-- An expired hold stops counting with no job running.
select tests.authenticate_as('user2@bright-visas.example.test');
insert into holds select 'stale', h.id from public.reserve_usage(pg_temp.immigration(), 17000) h;
select tests.clear_authentication();
update public.usage_reservations set expires_at = now() - interval '1 second'
where id = (select id from holds where name = 'stale');
select is(pg_temp.held('user2@bright-visas.example.test'), 0::bigint,
  'an expired hold no longer counts');

-- The TTL is a setting; the platform may release; the cleanup tidies.
update private.usage_hold_settings set hold_ttl = interval '2 seconds';
select tests.authenticate_as('user2@bright-visas.example.test');
insert into holds select 'short', h.id from public.reserve_usage(pg_temp.immigration(), 10) h;
select is((select expires_at from public.usage_reservations where id = (select id from holds where name = 'short')),
  now() + interval '2 seconds', 'the hold TTL comes from private.usage_hold_settings');
select tests.clear_authentication();
select tests.authenticate_as_key('service_role');
select is((select status from public.release_usage((select id from holds where name = 'short'))),
  'released', 'the platform (service_role) may release any hold');
select is(public.clean_up_usage_holds() >= 1, true, 'the cleanup expires the stale hold');
select tests.clear_authentication();
select is((select status from public.usage_reservations where id = (select id from holds where name = 'stale')),
  'expired', 'an expired hold is marked expired by the cleanup');

select * from finish();
rollback;
