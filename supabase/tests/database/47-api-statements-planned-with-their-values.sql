begin;
\ir ../helpers.psql
select plan(5);

-- The API prepares its statements; planned without their values, an admin's month read
-- scanned every organization's rows by date. The admin role's own plan_cache_mode (which the
-- API applies to each request) plans every statement with its values, and each plpgsql
-- function of the rules sets it back to auto so its statements keep their plans (or to
-- force_generic_plan, where one plan is right whatever the values: the usage pages).

create or replace function pg_temp.keeps_session_plans(fn regprocedure) returns boolean
language sql stable as $$
  select coalesce(p.proconfig, '{}')
    && array['plan_cache_mode=auto', 'plan_cache_mode=force_generic_plan']
  from pg_proc p
  where p.oid = fn
$$;

-- As PostgREST reads a role's settings: pg_roles.rolconfig, those of every database. Only
-- admins' statements need their values (their read policy has two arms, one of them their
-- organization's); a plain user's and a superadmin's have one arm each, which a generic
-- plan reads by the right index.
select is(
  (select array_agg(r.rolname || ': ' || c order by r.rolname)
   from pg_roles r, unnest(r.rolconfig) c
   where r.rolname in ('authenticated', 'aimodels_admin', 'aimodels_superadmin')
     and c like 'plan_cache_mode=%'),
  array['aimodels_admin: plan_cache_mode=force_custom_plan',
        'aimodels_superadmin: plan_cache_mode=auto',
        'authenticated: plan_cache_mode=auto'],
  'an admin''s statements are planned with their values (the role''s own setting); others'' may be cached'
);

select is(
  (select string_agg(p.oid::regprocedure::text, ', ' order by p.oid::regprocedure::text)
   from pg_proc p
   join pg_namespace n on n.oid = p.pronamespace
   join pg_language l on l.oid = p.prolang
   where n.nspname in ('public', 'private') and l.lanname = 'plpgsql'
     and not pg_temp.keeps_session_plans(p.oid::regprocedure)),
  null,
  'every plpgsql function of public and private keeps its statements'' plans (plan_cache_mode auto or force_generic_plan)'
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
