begin;
\ir ../helpers.psql
select plan(13);

-- The per-(user, model, window) counter the limit check reads (private.usage_period_totals):
-- moved by every admitted row, in the same transaction, and keyed by the window the row was
-- recorded in. Financial Report Analyst: 20000 tokens per user per UTC day, enabled for
-- summit-finance.

create temporary table window_now as
  select w.period_start, w.period_end from private.period_window('daily', now()) w;
grant select on window_now to authenticated;

create or replace function pg_temp.counter(email text, model text) returns bigint
language sql stable as $$
  select t.tokens from private.usage_period_totals t, window_now w
  where t.user_id = tests.user_id(email) and t.model_id = tests.model_id(model)
    and t.period_start = w.period_start and t.period_end = w.period_end
$$;

create or replace function pg_temp.logged(email text, model text) returns bigint
language sql stable as $$
  select coalesce(sum(u.tokens_used), 0)::bigint from public.ai_model_usage u, window_now w
  where u.user_id = tests.user_id(email) and u.model_id = tests.model_id(model)
    and u.period_start = w.period_start and u.period_end = w.period_end
$$;

-- A window nothing was admitted into yet counts what the log holds for it (rows loaded around
-- the admission, as bulk loads do).
set local session_replication_role = replica;
insert into public.ai_model_usage (user_id, organization_id, model_id, model_name, tokens_used,
  period_start, period_end, period_type)
select tests.user_id('user2@summit-finance.example.test'), tests.org_id('summit-finance'),
  tests.model_id('Financial Report Analyst'), 'Financial Report Analyst', 700,
  w.period_start, w.period_end, 'daily'
from window_now w;
set local session_replication_role = origin;
select is(pg_temp.counter('user2@summit-finance.example.test', 'Financial Report Analyst'), null,
  'loaded history creates no counter');

select tests.authenticate_as('user2@summit-finance.example.test');
select lives_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 300)$$,
  'recording through the RPC');
select lives_ok($$insert into public.ai_model_usage (model_id, tokens_used) values (tests.model_id('Financial Report Analyst'), 500)$$,
  'recording through a direct insert');
select tests.clear_authentication();
select is(pg_temp.counter('user2@summit-finance.example.test', 'Financial Report Analyst'), 1500::bigint,
  'the first admitted row starts the counter from the window''s loaded history (700 + 300), the RPC and a direct insert both move it (+ 500)');
select is(pg_temp.counter('user2@summit-finance.example.test', 'Financial Report Analyst'),
  pg_temp.logged('user2@summit-finance.example.test', 'Financial Report Analyst'),
  'the counter equals the log''s rows for the window');

-- A refused recording moves nothing.
select tests.authenticate_as('user2@summit-finance.example.test');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 18501)$$,
  'AM004', null, 'the limit check reads the counter (1500 + 18501 > 20000)');
select tests.clear_authentication();
select is(pg_temp.counter('user2@summit-finance.example.test', 'Financial Report Analyst'), 1500::bigint,
  'a refused recording leaves the counter as it was');

-- Counters are per user: a colleague's window holds only their own (seeded) 3000.
select tests.authenticate_as('user1@summit-finance.example.test');
select is((select tokens_used from public.quota_status(tests.model_id('Financial Report Analyst'))), 3000::bigint,
  'a colleague''s counter is their own');

-- Free models: counted per user (quota_status shows them), never toward the org quota.
select tests.clear_authentication();
update public.org_system_model_config set is_enabled_for_users = true
where organization_id = tests.org_id('summit-finance') and system_model_id = tests.model_id('General Writing Assistant');
select tests.authenticate_as('user2@summit-finance.example.test');
select lives_ok($$select public.record_usage(tests.model_id('General Writing Assistant'), 40)$$,
  'recording a free model');
select is((select tokens_used from public.quota_status(tests.model_id('General Writing Assistant'))), 40::bigint,
  'free usage is counted in the user''s window');

-- A superadmin changes the model's period: the limit check now reads the current window of the
-- new period, which holds only what was recorded under it (nothing yet).
select tests.clear_authentication();
update public.ai_models_system set token_limit_period = 'monthly' where name = 'Financial Report Analyst';
select tests.authenticate_as('user2@summit-finance.example.test');
select is((select tokens_used from public.quota_status(tests.model_id('Financial Report Analyst'))), 0::bigint,
  'after a period change the new period''s window starts fresh');
select lives_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 19000)$$,
  'the new window allows the full limit');
select tests.clear_authentication();
update public.ai_models_system set token_limit_period = 'daily' where name = 'Financial Report Analyst';
select tests.authenticate_as('user2@summit-finance.example.test');
select throws_ok($$select public.record_usage(tests.model_id('Financial Report Analyst'), 18501)$$,
  'AM004', null, 'switching back finds the daily window''s counter where it was');

select * from finish();
rollback;
