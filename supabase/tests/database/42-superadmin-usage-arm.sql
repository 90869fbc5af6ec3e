begin;
\ir ../helpers.psql
select plan(8);

-- A superadmin's usage read arm compares one date per row (every row for a superadmin, none
-- for anyone else), not an array of every organization.

select tests.authenticate_as('superadmin@example.test');
select is(private.superadmin_usage_since(), '-infinity'::timestamptz,
  'superadmin_usage_since() admits all usage for a superadmin');
select tests.authenticate_as('admin@bright-visas.example.test');
select is(private.superadmin_usage_since(), 'infinity'::timestamptz,
  'superadmin_usage_since() admits none for an admin');
-- False, not unknown: a row's AND of the arm stops at its first comparison (a null bound
-- made every filtered row evaluate the arm's other three).
select is(now() > private.superadmin_usage_since(), false,
  'for an admin, the arm''s first comparison is false on any row');
select tests.authenticate_as('user1@bright-visas.example.test');
select is(private.superadmin_usage_since(), 'infinity'::timestamptz,
  'superadmin_usage_since() admits none for a user');
select is(now() > private.superadmin_usage_since(), false,
  'for a user, the arm''s first comparison is false on any row');
select tests.clear_authentication();

select is(
  (select pg_get_expr(p.polqual, p.polrelid) ~ 'superadmin_org_ids'
   from pg_policy p
   where p.polrelid = 'public.ai_model_usage'::regclass
     and p.polname = 'superadmins, org admins and users can read usage'),
  false,
  'the usage read policy searches no array of organizations'
);

-- With many organizations, a superadmin's read of the day filters by one comparison: the
-- same rows as the owner's, whatever the plan.
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

select * from finish();
rollback;
