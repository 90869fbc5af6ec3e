/**
  * A signed-in user's statements are planned with their values; the rules keep their plans.
  *
  * The API prepares every statement it sends (PostgREST by default), and after five custom
  * plans Postgres keeps a prepared statement's generic plan whenever that plan's estimate is
  * lower. Without the values of a range the planner takes `created_at >= $1 and created_at
  * < $2` for 0.5% of the log, so for an admin's month it prefers the created_at index,
  * filtering every organization's rows by the usage read policy, over the policy's arms:
  * 48-89 ms instead of 1.5-2 ms on the bench's heavy data, once a pooled connection has run
  * the read five times.
  *
  * - `authenticated` gets `plan_cache_mode = force_custom_plan`. PostgREST applies a role's
  *   own settings to every request it switches to that role (those the login role may set),
  *   so each statement of a signed-in request is planned with its values. Planning one
  *   statement costs a fraction of a millisecond; a wrong generic plan costs tens.
  * - Every plpgsql function of `public` and `private` gets `plan_cache_mode = auto`: their
  *   statements are prepared once per session and stay so (a function's SET clause holds
  *   for everything it calls). Under the role's setting alone each of their statements would
  *   be planned again on every call: record_usage() went from 1.38 to 2.47 ms per call.
  *   `language sql` functions do not use the plan cache: nothing to set.
  *
  * A later migration that creates or replaces a plpgsql function there must say `set
  * plan_cache_mode = auto` too; pgTAP 47 checks that every one does.
  */

alter role authenticated set plan_cache_mode = force_custom_plan;

do $$
declare
  fn regprocedure;
begin
  for fn in
    select p.oid::regprocedure
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    join pg_catalog.pg_language l on l.oid = p.prolang
    where n.nspname in ('public', 'private')
      and l.lanname = 'plpgsql'
    order by 1
  loop
    execute pg_catalog.format('alter function %s set plan_cache_mode = auto', fn);
  end loop;
end;
$$;
