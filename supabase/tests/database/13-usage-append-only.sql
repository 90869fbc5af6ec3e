begin;
\ir ../helpers.psql
select plan(12);

-- ---------------------------------------------------------------------------
-- API roles: no privilege to change usage at all
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@nova-software.example.test');
select throws_ok($$update public.ai_model_usage set tokens_used = 1$$, '42501', null,
  'a user cannot update usage');
select throws_ok($$delete from public.ai_model_usage$$, '42501', null, 'a user cannot delete usage');
select tests.authenticate_as('superadmin@example.test');
select throws_ok($$update public.ai_model_usage set tokens_used = 1$$, '42501', null,
  'a superadmin cannot update usage');
select throws_ok($$delete from public.ai_model_usage$$, '42501', null, 'a superadmin cannot delete usage');

-- ---------------------------------------------------------------------------
-- The trigger holds even where privileges would allow the change
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
select throws_ok($$update public.ai_model_usage set tokens_used = 1$$, 'AM007', null,
  'the table owner cannot update usage');
select throws_ok($$delete from public.ai_model_usage$$, 'AM007', null, 'the table owner cannot delete usage');
select throws_ok($$truncate public.ai_model_usage$$, 'AM007', null, 'the table owner cannot truncate usage');

grant update, delete, truncate on public.ai_model_usage to service_role;
select tests.authenticate_as_key('service_role');
select throws_ok($$update public.ai_model_usage set tokens_used = 1$$, 'AM007', null,
  'service_role (bypassing RLS, even with privileges) cannot update usage');
select throws_ok($$delete from public.ai_model_usage where true$$, 'AM007', null,
  'service_role cannot delete usage');
select throws_ok($$truncate public.ai_model_usage$$, 'AM007', null, 'service_role cannot truncate usage');

select tests.clear_authentication();
set local session_replication_role = replica;
select throws_ok($$delete from public.ai_model_usage$$, 'AM007', null,
  'replica mode (which skips ordinary triggers) does not skip the append-only trigger');
set local session_replication_role = origin;

select is((select count(*)::int from public.ai_model_usage), 8, 'the seeded log is intact');

select * from finish();
rollback;
