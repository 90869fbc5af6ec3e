begin;
\ir ../helpers.psql
select plan(7);

-- Reads of the usage log through the API may run in parallel: nothing the read policy calls
-- is parallel unsafe, and the caller's id is read exactly as auth.uid() reads it.

-- caller_id() is auth.uid(), whichever way the claims are set.
select set_config('request.jwt.claims', json_build_object('sub', tests.user_id('user1@bright-visas.example.test'), 'role', 'authenticated')::text, true);
select set_config('request.jwt.claim.sub', '', true);
select is(private.caller_id(), auth.uid(), 'caller_id() = auth.uid(): the sub of request.jwt.claims');
select isnt(private.caller_id(), null, 'not vacuous: a caller');
select set_config('request.jwt.claim.sub', tests.user_id('admin@bright-visas.example.test')::text, true);
select is(private.caller_id(), auth.uid(), 'caller_id() = auth.uid(): the older request.jwt.claim.sub first');
select set_config('request.jwt.claim.sub', '', true);
select set_config('request.jwt.claims', '', true);
select is(private.caller_id(), auth.uid(), 'caller_id() = auth.uid(): no claims, no caller (null)');

select is(
  (select count(*)::int from pg_proc
   where proparallel = 'u'
     and oid in ('private.caller_id()'::regprocedure, 'private.administered_org_id()'::regprocedure,
                 'private.is_superadmin()'::regprocedure)),
  0,
  'nothing the usage read policy calls is parallel unsafe'
);

-- With parallel plans made cheap, a user's and an admin's read of the log are planned with
-- workers, as the owner's query would be.
create or replace function pg_temp.parallel_plan(email text) returns boolean
language sql as $$
  select tests.planned_in_parallel_as(
    email, 'select model_id, sum(tokens_used) from public.ai_model_usage group by model_id')
$$;
-- A user's few rows are read by their own index, and an admin's seeded organization's by
-- the organization's, which no worker would speed up; with the indexes set aside, the read
-- may still run in parallel.
set local enable_indexscan = off;
set local enable_bitmapscan = off;
select is(pg_temp.parallel_plan('user1@bright-visas.example.test'), true, 'a user''s read of the log may run in parallel');
select is(pg_temp.parallel_plan('admin@bright-visas.example.test'), true, 'an admin''s read of the log may run in parallel');
reset enable_indexscan;
reset enable_bitmapscan;

select * from finish();
rollback;
