begin;
\ir ../helpers.psql
select plan(10);

-- Idempotency keys: a retry by the same user with the same key returns the first result and
-- charges once, even when the first call took the last of the quota; keys of different users
-- never collide. Financial Report Analyst: 20000 tokens per user per UTC day at summit-finance.

create or replace function pg_temp.org_used() returns bigint
language sql stable as $$
  select o.token_usage_current from public.organizations o where o.slug = 'summit-finance'
$$;
create temporary table before_keys as select pg_temp.org_used() as org_used;
grant select on before_keys to authenticated;
create temporary table receipts (name text primary key, id uuid);
grant all on receipts to authenticated;

-- record_usage
select tests.authenticate_as('user1@summit-finance.example.test');
insert into receipts select 'first', r.id
from public.record_usage(tests.model_id('Financial Report Analyst'),
  (select q.tokens_remaining::integer from public.quota_status(tests.model_id('Financial Report Analyst')) q),
  1, 'call-1') r;
select is((select r.id from public.record_usage(tests.model_id('Financial Report Analyst'), 20000, 1, 'call-1') r),
  (select id from receipts where name = 'first'),
  'a retry with the same key returns the first receipt, although the first used the whole limit');
select is((select r.user_tokens_remaining from public.record_usage(tests.model_id('Financial Report Analyst'), 20000, 1, 'call-1') r),
  0::bigint, 'the replayed receipt says what is left now: nothing');
select is((select count(*) from public.ai_model_usage where user_id = auth.uid()
  and model_id = tests.model_id('Financial Report Analyst') and created_at = now()), 1::bigint,
  'one row for three calls');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1, 1, 'call-2')$$,
  'AM004', null, 'a new key is a new recording, checked against the limit');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1, 1, repeat('k', 201))$$,
  'AM009', null, 'a key longer than 200 characters is refused');
select tests.clear_authentication();
select is(pg_temp.org_used() - (select org_used from before_keys),
  (select tokens_used::bigint from public.ai_model_usage where id = (select id from receipts where name = 'first')),
  'the org is charged once');

select tests.authenticate_as('user2@summit-finance.example.test');
select isnt((select r.id from public.record_usage(tests.model_id('Financial Report Analyst'), 10, 1, 'call-1') r),
  (select id from receipts where name = 'first'), 'another user''s identical key is another key');
select tests.clear_authentication();

-- reserve_usage
select tests.authenticate_as('user2@summit-finance.example.test');
insert into receipts select 'hold', h.id
from public.reserve_usage(tests.model_id('Financial Report Analyst'),
  (select q.tokens_remaining::integer from public.quota_status(tests.model_id('Financial Report Analyst')) q),
  1, 'call-9') h;
select is((select h.id from public.reserve_usage(tests.model_id('Financial Report Analyst'), 19990, 1, 'call-9') h),
  (select id from receipts where name = 'hold'),
  'a reserve retry with the same key returns the first hold, although it holds the rest of the limit');
select is((select h.replayed from public.reserve_usage(tests.model_id('Financial Report Analyst'), 19990, 1, 'call-9') h),
  true, 'the replay says it is one');
select tests.clear_authentication();
select tests.authenticate_as('user1@summit-finance.example.test');
select throws_ok($$select public.reserve_usage(tests.model_id('Financial Report Analyst'), 10, 1, 'call-9')$$,
  'AM004', null, 'another user''s identical key is admitted on its own (and refused: user1 used all)');
select tests.clear_authentication();

select * from finish();
rollback;
