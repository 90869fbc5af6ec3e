begin;
\ir ../helpers.psql
select plan(28);

-- A retry of a recorded usage row (same id, same user) is skipped before any check: never
-- refused, never charged. Another user's id is a conflict. Amounts are bounded. The charge
-- runs once per statement and stays exact for several rows. Per-user limits that could never
-- apply are refused. Deleting an auth user tombstones a profile that usage names.
-- Financial Report Analyst: 20000 tokens per user per UTC day, enabled for summit-finance.

create temporary table window_now as
  select w.period_start, w.period_end from private.period_window('daily', now()) w;

create or replace function pg_temp.counter(email text) returns bigint
language sql stable as $$
  select coalesce((
    select t.tokens from private.usage_period_totals t, window_now w
    where t.user_id = tests.user_id(email) and t.model_id = tests.model_id('Financial Report Analyst')
      and t.period_start = w.period_start and t.period_end = w.period_end
  ), 0)
$$;

create or replace function pg_temp.org_used() returns bigint
language sql stable as $$
  select o.token_usage_current from public.organizations o where o.slug = 'summit-finance'
$$;

-- ---------------------------------------------------------------------------
-- Retries
-- ---------------------------------------------------------------------------
-- user2 takes the whole daily limit in one row with its own id.
select tests.authenticate_as('user2@summit-finance.example.test');
select is(tests.affected_rows($$insert into public.ai_model_usage (id, model_id, tokens_used)
  values ('00000000-0000-0000-00fe-000000000001', tests.model_id('Financial Report Analyst'), 20000)$$),
  1, 'the first insert uses the last of the user''s daily limit');
select tests.clear_authentication();
create temporary table after_first as
  select pg_temp.org_used() as org_used, pg_temp.counter('user2@summit-finance.example.test') as window_used;

select tests.authenticate_as('user2@summit-finance.example.test');
select is(tests.affected_rows($$insert into public.ai_model_usage (id, model_id, tokens_used)
  values ('00000000-0000-0000-00fe-000000000001', tests.model_id('Financial Report Analyst'), 20000)
  on conflict (id) do nothing$$),
  0, 'a retry with on conflict do nothing is not refused AM004: it writes nothing');
select is(tests.affected_rows($$insert into public.ai_model_usage (id, model_id, tokens_used)
  values ('00000000-0000-0000-00fe-000000000001', tests.model_id('Financial Report Analyst'), 20000)$$),
  0, 'a plain duplicate insert by the same user is a no-op, not AM004 nor a key violation');
select is(tests.affected_rows($$insert into public.ai_model_usage (id, model_id, tokens_used)
  values ('00000000-0000-0000-00fe-000000000001', tests.model_id('Financial Report Analyst'), 5)$$),
  0, 'the first recording is the receipt: a retry with other amounts changes nothing');
select tests.clear_authentication();
select is(pg_temp.org_used(), (select org_used from after_first), 'the retries charged no org quota');
select is(pg_temp.counter('user2@summit-finance.example.test'), (select window_used from after_first),
  'the retries moved no window counter');
select is((select tokens_used from public.ai_model_usage where id = '00000000-0000-0000-00fe-000000000001'),
  20000, 'the first row is intact');

create temporary table user1_before as select pg_temp.counter('user1@summit-finance.example.test') as used;
select tests.authenticate_as('user1@summit-finance.example.test');
select throws_ok($$insert into public.ai_model_usage (id, model_id, tokens_used)
  values ('00000000-0000-0000-00fe-000000000001', tests.model_id('Financial Report Analyst'), 1)
  on conflict (id) do nothing$$,
  '23505', 'usage_id_taken: this usage id is already taken; choose a new id',
  'another user''s id is a conflict, not an empty success');
select tests.clear_authentication();
select is(pg_temp.counter('user1@summit-finance.example.test'), (select used from user1_before),
  'the refused conflict charged the other user nothing');

-- ---------------------------------------------------------------------------
-- Bounds
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@summit-finance.example.test');
select throws_ok($$select public.record_usage(tests.model_id('General Writing Assistant'), 1, 10001)$$,
  'AM006', null, 'more than 10000 requests in one row is refused');
select throws_ok($$select public.record_usage(tests.model_id('General Writing Assistant'), 10000001, 1)$$,
  'AM006', null, 'more than 10000000 tokens in one row is refused');
select lives_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 1, 10000)$$,
  '10000 requests in one row is accepted');
select tests.clear_authentication();
select throws_ok($$insert into public.ai_model_usage
  (user_id, organization_id, model_id, model_name, tokens_used, requests_count, period_start, period_end, period_type)
  select user_id, organization_id, model_id, model_name, tokens_used, 10001, period_start, period_end, period_type
  from public.ai_model_usage limit 1$$,
  'AM006', null, 'the admission bounds platform inserts too');

-- ---------------------------------------------------------------------------
-- The charge, once per statement
-- ---------------------------------------------------------------------------
create temporary table before_batch as
  select pg_temp.org_used() as org_used, pg_temp.counter('user1@summit-finance.example.test') as window_used;
select tests.authenticate_as('user1@summit-finance.example.test');
select is(tests.affected_rows($$insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Financial Report Analyst'), 100),
         (tests.model_id('Financial Report Analyst'), 200),
         (tests.model_id('Financial Report Analyst'), 300)$$),
  3, 'three rows in one statement');
select tests.clear_authentication();
select is(pg_temp.org_used(), (select org_used + 600 from before_batch),
  'the org quota is charged the statement''s total');
select is(pg_temp.counter('user1@summit-finance.example.test'), (select window_used + 600 from before_batch),
  'the window counter moves by the statement''s total');

-- ---------------------------------------------------------------------------
-- Per-user limits that could never apply
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin@bright-visas.example.test');
select throws_ok($$update public.org_system_model_config set token_limit_per_user = 100
  where system_model_id = tests.model_id('General Writing Assistant')$$,
  'AM006', 'invalid_amount: a per-user limit cannot apply to General Writing Assistant: free models have no token limits',
  'a per-user limit on a free model is refused');
select throws_ok($$update public.org_system_model_config set token_limit_per_user = 1000000
  where system_model_id = tests.model_id('Immigration Case Assistant')$$,
  'AM006', 'invalid_amount: a per-user limit can only tighten the model''s own limit of 50000 tokens per weekly period; use at most 50000',
  'a per-user limit looser than the model''s own is refused, naming the model''s limit');
select is(tests.affected_rows($$update public.org_system_model_config set token_limit_per_user = 50000
  where system_model_id = tests.model_id('Immigration Case Assistant')$$),
  1, 'a per-user limit equal to the model''s own is accepted');
select is(tests.affected_rows($$update public.org_system_model_config set is_enabled_for_users = true
  where system_model_id = tests.model_id('General Writing Assistant')$$),
  1, 'other settings of a free model still change');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- Deleting auth users
-- ---------------------------------------------------------------------------
create temporary table acme_usage as
  select * from public.ai_model_usage where user_id = tests.user_id('user1@acme-law.example.test');
create temporary table acme_ids as
  select tests.user_id('user1@acme-law.example.test') as with_usage,
         tests.user_id('user2@pulse-health.example.test') as without_usage;
delete from auth.users where email in ('user1@acme-law.example.test', 'user2@pulse-health.example.test');
select results_eq(
  $$select organization_id, role, display_name, avatar_url, deleted_at is not null
    from public.profiles where id = (select with_usage from acme_ids)$$,
  $$values (tests.org_id('acme-law'), 'user'::text, null::text, null::text, true)$$,
  'a deleted user with usage keeps a tombstone: org and role kept, display fields cleared'
);
select set_eq(
  $$select * from public.ai_model_usage where user_id = (select with_usage from acme_ids)$$,
  $$select * from acme_usage$$,
  'every usage row of the deleted user stays as it was'
);
select is_empty(
  $$select 1 from public.profiles where id = (select without_usage from acme_ids)$$,
  'a deleted user without usage loses the profile'
);

-- ---------------------------------------------------------------------------
-- The refusal helper and grants
-- ---------------------------------------------------------------------------
select throws_ok($$select private.refuse('AM999')$$, 'P0001', 'private.refuse: unknown refusal code AM999',
  'an unknown refusal code is a bug, said plainly');
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p
    where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
      and p.prosrc ~* 'errcode\s*=\s*''AM0' and p.proname <> 'refuse'$$,
  'every AM refusal is raised by private.refuse, no function raises its own'
);
select hasnt_function('private', 'is_org_admin', 'the unused is_org_admin is gone');
select ok(
  not has_function_privilege('authenticated', 'private.user_tokens_used(uuid, uuid, timestamptz, timestamptz)', 'execute')
  and not has_function_privilege('authenticated', 'private.quota_snapshot(uuid, uuid)', 'execute')
  and not has_function_privilege('service_role', 'private.visible_model_ids(uuid)', 'execute'),
  'helpers only definer functions call are not executable by API roles'
);
select ok(
  has_function_privilege('authenticated', 'private.administered_org_id()', 'execute')
  and has_function_privilege('authenticated', 'private.is_model_visible_to_org(uuid, uuid)', 'execute'),
  'helpers the policies call stay executable by signed-in users'
);

select * from finish();
rollback;
