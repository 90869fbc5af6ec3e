begin;
\ir ../helpers.psql
select plan(9);

-- Only rows actually written are charged. A client that retries with its own id and
-- `on conflict do nothing` (PostgREST's resolution=ignore-duplicates) writes no second row, so
-- neither the org quota nor the window counter may move. And a statement of several rows is
-- checked on its total, not row by row against the totals without its statement-mates.
-- Financial Report Analyst: 20000 tokens per user per UTC day, enabled for summit-finance
-- (quota 500000); user2 has no usage of it today.

create temporary table window_now as
  select w.period_start, w.period_end from private.period_window('daily', now()) w;

create or replace function pg_temp.counter(email text) returns bigint
language sql stable as $$
  select t.tokens from private.usage_period_totals t, window_now w
  where t.user_id = tests.user_id(email) and t.model_id = tests.model_id('Financial Report Analyst')
    and t.period_start = w.period_start and t.period_end = w.period_end
$$;

create or replace function pg_temp.org_used() returns bigint
language sql stable as $$
  select o.token_usage_current from public.organizations o where o.slug = 'summit-finance'
$$;

create temporary table before_retry as select pg_temp.org_used() as org_used;

select tests.authenticate_as('user2@summit-finance.example.test');
select lives_ok($$insert into public.ai_model_usage (id, model_id, tokens_used)
  values ('00000000-0000-0000-00ff-000000000001', tests.model_id('Financial Report Analyst'), 400)$$,
  'a usage row with a client-chosen id');
select lives_ok($$insert into public.ai_model_usage (id, model_id, tokens_used)
  values ('00000000-0000-0000-00ff-000000000001', tests.model_id('Financial Report Analyst'), 400)
  on conflict do nothing$$,
  'the retry with the same id is ignored');
select tests.clear_authentication();

select is((select count(*) from public.ai_model_usage where id = '00000000-0000-0000-00ff-000000000001'),
  1::bigint, 'one row is written');
select is(pg_temp.org_used(), (select org_used + 400 from before_retry),
  'the org quota is charged once (the ignored retry charges nothing)');
select is(pg_temp.counter('user2@summit-finance.example.test'), 400::bigint,
  'the window counter is moved once (the ignored retry moves nothing)');

-- One statement, several rows: each fits the limit alone, together they do not.
select tests.authenticate_as('user2@summit-finance.example.test');
select throws_ok($$insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Financial Report Analyst'), 10000),
         (tests.model_id('Financial Report Analyst'), 10000)$$,
  'AM004', null, 'rows of one statement are checked on their total (400 + 2 x 10000 > 20000)');
select lives_ok($$insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Financial Report Analyst'), 300),
         (tests.model_id('Financial Report Analyst'), 200)$$,
  'a statement of several rows within the limit is admitted');
select tests.clear_authentication();
select is(pg_temp.counter('user2@summit-finance.example.test'), 900::bigint,
  'each row of the statement is charged once (400 + 300 + 200)');

-- A window with no counter yet, first written by a statement of several rows: the counter
-- starts from the log without counting the statement's rows twice.
delete from private.usage_period_totals t using window_now w
where t.user_id = tests.user_id('user1@summit-finance.example.test')
  and t.model_id = tests.model_id('Financial Report Analyst')
  and t.period_start = w.period_start and t.period_end = w.period_end;
select tests.authenticate_as('user1@summit-finance.example.test');
insert into public.ai_model_usage (model_id, tokens_used)
values (tests.model_id('Financial Report Analyst'), 100),
       (tests.model_id('Financial Report Analyst'), 50);
select tests.clear_authentication();
select is(pg_temp.counter('user1@summit-finance.example.test'),
  (select sum(u.tokens_used)::bigint from public.ai_model_usage u, window_now w
   where u.user_id = tests.user_id('user1@summit-finance.example.test')
     and u.model_id = tests.model_id('Financial Report Analyst')
     and u.period_start = w.period_start and u.period_end = w.period_end),
  'a counter started by a statement of several rows equals the log''s rows for the window');

select * from finish();
rollback;
