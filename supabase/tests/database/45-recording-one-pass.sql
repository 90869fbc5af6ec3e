begin;
\ir ../helpers.psql
select plan(12);

-- The admission charges each row as it admits it (one trigger): the org quota counter and
-- the user's window counter move by exactly what is written, a refusal undoes the charge it
-- took with the lock, a statement's later rows are checked against its earlier ones, and the
-- receipt's "left" figures come from that charge.
-- Financial Report Analyst: 20000 tokens per user per UTC day, enabled for summit-finance.

create or replace function pg_temp.counter(email text) returns bigint
language sql stable as $$
  select tests.window_tokens(email, 'Financial Report Analyst')
$$;

create or replace function pg_temp.org_used() returns bigint
language sql stable as $$
  select o.token_usage_current from public.organizations o where o.slug = 'summit-finance'
$$;

create or replace function pg_temp.rows_of(email text) returns bigint
language sql stable as $$
  select count(*) from public.ai_model_usage u where u.user_id = tests.user_id(email)
$$;

-- 1000 tokens of org quota left.
update public.organizations set token_quota_monthly = token_usage_current + 1000
where slug = 'summit-finance';
create temporary table before_all as
  select pg_temp.org_used() as org_used,
         pg_temp.counter('user1@summit-finance.example.test') as counted,
         pg_temp.rows_of('user1@summit-finance.example.test') as row_count;
grant select on before_all to authenticated;

-- One statement, two rows: each fits the org quota alone, together they do not.
select tests.authenticate_as('user1@summit-finance.example.test');
select throws_ok($$insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Financial Report Analyst'), 600),
         (tests.model_id('Financial Report Analyst'), 600)$$,
  'AM005', null, 'a statement''s second row is checked against the org quota its first row used');
select tests.clear_authentication();
select is(pg_temp.org_used(), (select org_used from before_all),
  'the refused statement leaves the org quota counter as it was (its first row''s charge undone)');
select is(pg_temp.counter('user1@summit-finance.example.test'), (select counted from before_all),
  'the refused statement leaves the window counter as it was');
select is(pg_temp.rows_of('user1@summit-finance.example.test'), (select row_count from before_all),
  'the refused statement writes no row');

-- Two rows that fit: charged exactly once each, on both counters.
select tests.authenticate_as('user1@summit-finance.example.test');
select lives_ok($$insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Financial Report Analyst'), 300),
         (tests.model_id('Financial Report Analyst'), 200)$$,
  'a statement of two rows within the quota is admitted');
select tests.clear_authentication();
select is(pg_temp.org_used(), (select org_used + 500 from before_all),
  'the org quota counter moved by the statement''s tokens, once');
select is(pg_temp.counter('user1@summit-finance.example.test'), (select counted + 500 from before_all),
  'the window counter moved by the statement''s tokens, once');

-- A row refused by the user limit, after the org charge took the lock: nothing stays charged.
select tests.authenticate_as('user1@summit-finance.example.test');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 20000)$$,
  'AM004', null, 'a recording past the user limit is refused');
select tests.clear_authentication();
select is(pg_temp.org_used(), (select org_used + 500 from before_all),
  'the refused recording leaves the org quota counter as it was');

-- The receipt's figures equal what quota_status() reports right after.
create temporary table receipt (user_left bigint, org_left bigint);
grant insert, select on receipt to authenticated;
select tests.authenticate_as('user1@summit-finance.example.test');
insert into receipt
select r.user_tokens_remaining, r.org_tokens_remaining
from public.record_usage(tests.model_id('Financial Report Analyst'), 100) r;
select results_eq(
  $$select user_left, org_left from receipt$$,
  $$select q.tokens_remaining, q.org_remaining
    from public.quota_status(tests.model_id('Financial Report Analyst')) q$$,
  'the receipt says what is left as quota_status() counts it'
);
select tests.clear_authentication();

-- No org quota (nova-software): the org figure is null, never 0; free model: both null.
select tests.authenticate_as('user1@nova-software.example.test');
select results_eq(
  $$select r.user_tokens_remaining is not null, r.org_tokens_remaining
    from public.record_usage(tests.model_id('Code Review Copilot'), 10) r$$,
  $$values (true, null::bigint)$$,
  'an organization without a quota has no org figure on the receipt'
);
select results_eq(
  $$select r.user_tokens_remaining, r.org_tokens_remaining
    from public.record_usage(tests.model_id('General Writing Assistant'), 10) r$$,
  $$values (null::bigint, null::bigint)$$,
  'a free model has neither a user limit nor an org figure on the receipt'
);
select tests.clear_authentication();

select * from finish();
rollback;
