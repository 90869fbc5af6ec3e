begin;
\ir ../helpers.psql
select plan(6);

-- Nothing a read policy calls keeps a query out of parallel plans: a read of the usage log
-- that also reads the names of users or organizations under their policies, as
-- usage_report() does, may run in parallel as the owner's query does.

select is(
  (select coalesce(string_agg(format('%s on %s calls %s', pol.polname, c.relname,
                                     d.refobjid::regprocedure), '; '), '')
   from pg_policy pol
   join pg_class c on c.oid = pol.polrelid
   join pg_namespace n on n.oid = c.relnamespace
   join pg_depend d on d.classid = 'pg_policy'::regclass and d.objid = pol.oid
     and d.refclassid = 'pg_proc'::regclass
   join pg_proc p on p.oid = d.refobjid
   where n.nspname = 'public' and pol.polcmd in ('r', '*') and p.proparallel = 'u'),
  '',
  'no read policy calls a parallel unsafe function'
);

-- Not vacuous: the check reads the functions the read policies call.
select cmp_ok(
  (select count(distinct d.refobjid)::int
   from pg_policy pol
   join pg_depend d on d.classid = 'pg_policy'::regclass and d.objid = pol.oid
     and d.refclassid = 'pg_proc'::regclass
   where pol.polrelid = 'public.profiles'::regclass and pol.polcmd = 'r'),
  '>=', 3,
  'not vacuous: the profiles read policy''s helpers are found'
);
select is(
  (select proparallel from pg_proc where oid = 'auth.uid()'::regprocedure),
  'u',
  'not vacuous: auth.uid(), the platform''s, is parallel unsafe'
);

-- With parallel plans made cheap, usage_report()'s shape of query (totals of the log, then
-- each group's name read under the caller's RLS) is planned with workers. An admin's seeded
-- organization is read by its own index, which no worker would speed up: set aside.
set local enable_indexscan = off;
set local enable_bitmapscan = off;
select is(
  tests.planned_in_parallel_as('admin@bright-visas.example.test', $q$
    select g.user_id, (select p.display_name from public.profiles p where p.id = g.user_id), g.tokens
    from (select u.user_id, sum(u.tokens_used) as tokens
          from public.ai_model_usage u group by u.user_id) g
  $q$),
  true,
  'an admin''s usage by user, with the users'' names, may run in parallel'
);
reset enable_indexscan;
reset enable_bitmapscan;
select is(
  tests.planned_in_parallel_as('superadmin@example.test', $q$
    select g.organization_id, (select o.name from public.organizations o where o.id = g.organization_id), g.tokens
    from (select u.organization_id, sum(u.tokens_used) as tokens
          from public.ai_model_usage u group by u.organization_id) g
  $q$),
  true,
  'a superadmin''s usage by organization, with their names, may run in parallel'
);
-- A user's few rows are read by their own index, which no worker would speed up; with the
-- index set aside, the read of them and of their holds may still run in parallel.
set local enable_indexscan = off;
set local enable_bitmapscan = off;
select is(
  tests.planned_in_parallel_as('user1@bright-visas.example.test', $q$
    select g.model_id, g.tokens, (select count(*) from public.usage_reservations r where r.model_id = g.model_id)
    from (select u.model_id, sum(u.tokens_used) as tokens
          from public.ai_model_usage u group by u.model_id) g
  $q$),
  true,
  'a user''s usage by model, with their holds, may run in parallel'
);
reset enable_indexscan;
reset enable_bitmapscan;

select * from finish();
rollback;
