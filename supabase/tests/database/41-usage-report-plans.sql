begin;
\ir ../helpers.psql
select plan(5);

-- usage_report() runs a statement written for each grouping, kept for the session (its text
-- is not assembled at each call), and plans each call for its range (a cached generic plan
-- grouped by computed expressions and guessed the range), whatever the caller's role: no API
-- role plans every statement with its values (47).

select is(
  (select (prosrc !~* '\mexecute\M', proconfig @> array['plan_cache_mode=force_custom_plan'])::text
   from pg_proc where oid = 'public.usage_report(text, timestamptz, timestamptz)'::regprocedure),
  '(t,t)',
  'usage_report() runs statements of its own text, planned for each call''s range'
);
select is(
  (select array_agg(r.rolname || ': ' || c order by r.rolname)
   from pg_roles r, unnest(r.rolconfig) c
   where r.rolname in ('anon', 'authenticated', 'aimodels_admin', 'aimodels_superadmin',
                       'service_role')
     and c = 'plan_cache_mode=force_custom_plan'),
  null,
  'no API role plans every statement with its values: the report plans its own query'
);

-- Past the fifth call, where a cached plan would be reused, every grouping still totals the
-- admin's organization exactly, alternating groupings and ranges call after call.
select tests.authenticate_as('admin@bright-visas.example.test');
create temporary table calls as
  select n, case n % 3 when 0 then 'user' when 1 then 'model' else 'day' end as group_by,
    case when n % 2 = 0 then null else now() - interval '40 days' end as since
  from generate_series(1, 12) n;

select is(
  (select count(*)::int from calls c
   where (select sum(r.tokens) from public.usage_report(c.group_by, c.since) r)
     is distinct from (select sum(u.tokens_used)::numeric from public.ai_model_usage u
                       where c.since is null or u.created_at >= c.since)),
  0,
  'twelve calls in one session, groupings and ranges alternating: each totals the rows the admin reads'
);
select is(
  (select count(distinct r.user_id)::int from public.usage_report('user') r),
  (select count(distinct u.user_id)::int from public.ai_model_usage u),
  'grouped by user after the alternating calls: one row per user of the organization'
);
-- Not vacuous: the admin's organization has usage.
select cmp_ok((select count(*)::int from public.ai_model_usage), '>', 0, 'the admin reads some usage');

select * from finish();
rollback;
