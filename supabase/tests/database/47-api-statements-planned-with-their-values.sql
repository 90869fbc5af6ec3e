begin;
\ir ../helpers.psql
select plan(5);

-- The API prepares its statements and applies each role's own plan_cache_mode to the
-- requests it makes as that role. Every API role keeps Postgres's own choice (auto): each
-- reads the usage log through one condition, which no generic plan reads by the wrong index.
-- Each plpgsql function of the rules says auto too, so its statements keep their plans under
-- any request's setting (or force_generic_plan, where one plan is right whatever the values:
-- the usage pages). One function plans every call with its values, and says so:
-- usage_report(), whose range decides its plan.

create or replace function pg_temp.keeps_session_plans(fn regprocedure) returns boolean
language sql stable as $$
  select coalesce(p.proconfig, '{}')
    && array['plan_cache_mode=auto', 'plan_cache_mode=force_generic_plan']
  from pg_proc p
  where p.oid = fn
$$;

-- As PostgREST reads a role's settings: pg_roles.rolconfig, those of every database. An
-- admin's read of the log once had two arms, whose generic plan read a month by date; since
-- the admin's gate on the organization, the admin's statements are cached like the others'.
select is(
  (select array_agg(r.rolname || ': ' || c order by r.rolname)
   from pg_roles r, unnest(r.rolconfig) c
   where r.rolname in ('authenticated', 'aimodels_admin', 'aimodels_superadmin')
     and c like 'plan_cache_mode=%'),
  array['aimodels_admin: plan_cache_mode=auto',
        'aimodels_superadmin: plan_cache_mode=auto',
        'authenticated: plan_cache_mode=auto'],
  'every API role keeps Postgres''s own choice of plans (the role''s own setting, auto)'
);

select is(
  (select string_agg(p.oid::regprocedure::text, ', ' order by p.oid::regprocedure::text)
   from pg_proc p
   join pg_namespace n on n.oid = p.pronamespace
   join pg_language l on l.oid = p.prolang
   where n.nspname in ('public', 'private') and l.lanname = 'plpgsql'
     and not pg_temp.keeps_session_plans(p.oid::regprocedure)
     and not (p.oid = 'public.usage_report(text, timestamptz, timestamptz)'::regprocedure
              and p.proconfig @> array['plan_cache_mode=force_custom_plan'])),
  null,
  'every plpgsql function of public and private keeps its statements'' plans (plan_cache_mode auto or force_generic_plan), but usage_report(), planned for each range'
);

-- Not vacuous: the rules' entry points, their helpers and triggers are among those read.
select ok(
  (select count(*) >= 70
     and bool_or(p.oid = 'public.record_usage(uuid, integer, integer, text)'::regprocedure)
     and bool_or(p.oid = 'private.caller_id()'::regprocedure)
   from pg_proc p
   join pg_namespace n on n.oid = p.pronamespace
   join pg_language l on l.oid = p.prolang
   where n.nspname in ('public', 'private') and l.lanname = 'plpgsql'),
  'the check reads the rules'' plpgsql functions, record_usage() and caller_id() among them'
);

-- The check tells the two apart.
create function pg_temp.without_clause() returns text language plpgsql
  as $$ begin return pg_catalog.current_setting('plan_cache_mode'); end $$;
create function pg_temp.with_clause() returns text language plpgsql set plan_cache_mode = auto
  as $$ begin return pg_catalog.current_setting('plan_cache_mode'); end $$;
select ok(
  pg_temp.keeps_session_plans('pg_temp.with_clause()'::regprocedure)
    and not pg_temp.keeps_session_plans('pg_temp.without_clause()'::regprocedure),
  'a function without the clause is told apart from one with it'
);

-- Under a request's setting, the clause is what a function's statements run with.
set local plan_cache_mode = force_custom_plan;
select is(
  array[pg_temp.with_clause(), pg_temp.without_clause()],
  array['auto', 'force_custom_plan'],
  'inside a function with the clause its statements may keep their plans; without it, not'
);

select * from finish();
rollback;
