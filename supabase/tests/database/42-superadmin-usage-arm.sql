begin;
\ir ../helpers.psql
select plan(6);

-- A superadmin reads the usage log and the holds through a policy of their own role,
-- `using (true)` behind a restrictive gate on the profile: no arm compares anything per row.

select is(
  (select array_agg(pg_get_expr(p.polqual, p.polrelid) order by p.polname)
   from pg_policy p
   where p.polrelid = 'public.ai_model_usage'::regclass
     and p.polroles = array['aimodels_superadmin'::regrole::oid]),
  array['( SELECT private.is_superadmin() AS is_superadmin)', 'true'],
  'the superadmin''s usage read: everything, gated by the profile'
);
select is(
  (select p.polpermissive from pg_policy p
   where p.polrelid = 'public.ai_model_usage'::regclass
     and pg_get_expr(p.polqual, p.polrelid) ~ 'is_superadmin'),
  false,
  'the gate is restrictive: no other policy of the role can widen past it'
);
select is(
  (select array_agg(pg_get_expr(p.polqual, p.polrelid) order by p.polname)
   from pg_policy p
   where p.polrelid = 'public.usage_reservations'::regclass
     and p.polroles = array['aimodels_superadmin'::regrole::oid]),
  array['( SELECT private.is_superadmin() AS is_superadmin)', 'true'],
  'the superadmin''s holds read: the same'
);

-- With many organizations, a superadmin's read of the day: the same rows as the owner's,
-- and a plan with no per-row test of the policy (its gate is one test per statement).
insert into public.organizations (name, slug, type, pricing_plan)
select 'Extra ' || g, 'extra-' || g, (select min(type) from public.organizations), 'free'
from generate_series(1, 300) g;
create temporary table owner_day as
  select u.id from public.ai_model_usage u where u.created_at >= now() - interval '1 day';
grant select on owner_day to authenticated;
select tests.authenticate_as('superadmin@example.test');
select set_eq($$select id from public.ai_model_usage where created_at >= now() - interval '1 day'$$,
  $$select id from owner_day$$, 'a superadmin reads the day''s usage of every organization');
select cmp_ok((select count(*)::int from owner_day), '>', 0, 'the day has usage');
select tests.clear_authentication();
select unalike(
  tests.plan_as('superadmin@example.test',
    $$select id from public.ai_model_usage where created_at >= now() - interval '1 day'$$),
  '%"Filter": "%user_id%',
  'the superadmin''s day tests no row against the user''s arm'
);

select * from finish();
rollback;
