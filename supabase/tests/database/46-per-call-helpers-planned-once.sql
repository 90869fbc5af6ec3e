begin;
\ir ../helpers.psql
select plan(4);

-- A `language sql` function with a SET clause is never inlined: its body is parsed and
-- planned again on every call from a new statement, and each request is a new statement.
-- The helpers every request calls are plpgsql, which keeps its plans for the session.
-- (Reserving, the hold's result and TTL, and a model by its name behave as before: 30 and 32.)

create or replace function pg_temp.planned_per_call(fn regprocedure) returns boolean
language sql stable as $$
  select l.lanname = 'sql' and p.proconfig is not null
  from pg_proc p join pg_language l on l.oid = p.prolang
  where p.oid = fn
$$;

select is(
  (select string_agg(distinct d.refobjid::regprocedure::text, ', ')
   from pg_depend d
   where d.classid = 'pg_policy'::regclass and d.refclassid = 'pg_proc'::regclass
     and pg_temp.planned_per_call(d.refobjid::regprocedure)),
  null,
  'no function a policy calls is planned again on every statement (sql with a SET clause)'
);

-- Not vacuous: the check reads the functions the policies call, the caller's id among them.
select ok(
  (select bool_or(d.refobjid = 'private.caller_id()'::regprocedure) and count(distinct d.refobjid) >= 9
   from pg_depend d
   where d.classid = 'pg_policy'::regclass and d.refclassid = 'pg_proc'::regclass),
  'the policies'' functions are found through their dependencies, private.caller_id() among them'
);

select is(
  (select string_agg(fn::text, ', ')
   from unnest(array[
     'private.hold_result(public.usage_reservations, boolean)'::regprocedure,
     'private.usage_hold_ttl()'::regprocedure,
     'public.visible_model_id(text)'::regprocedure
   ]) fn
   where pg_temp.planned_per_call(fn)),
  null,
  'the helpers of every reservation and every model named by the service are planned once per session'
);

-- The check itself tells the two kinds apart: auth.uid() (sql, no SET: inlined) is not
-- planned per call; a sql function with a SET clause is.
create function pg_temp.sql_with_set() returns int language sql set search_path = '' as $$ select 1 $$;
select ok(
  not pg_temp.planned_per_call('auth.uid()'::regprocedure)
    and pg_temp.planned_per_call('pg_temp.sql_with_set()'::regprocedure),
  'a sql function with a SET clause is told apart from an inlined one'
);

select * from finish();
rollback;
