begin;
\ir ../helpers.psql
select plan(24);

-- usage_report() totals exactly the rows the caller may read (its RLS, no rule of its own),
-- for every grouping: compared here with sums over the log as the table owner, scoped by
-- hand to what each role's contract row says it reads.

-- A second day and a second model, so day and model groupings have more than one group.
insert into public.ai_model_usage (user_id, model_id, tokens_used, requests_count)
values (tests.user_id('user1@bright-visas.example.test'), tests.model_id('General Writing Assistant'), 70, 2);
alter table public.ai_model_usage disable trigger ai_model_usage_admit;
insert into public.ai_model_usage
  (user_id, organization_id, model_id, model_name, tokens_used, requests_count, period_start, period_end, period_type, created_at)
select u.user_id, u.organization_id, u.model_id, u.model_name, 11, 4, u.period_start, u.period_end, u.period_type,
  u.created_at - interval '3 days'
from public.ai_model_usage u;
alter table public.ai_model_usage enable trigger ai_model_usage_admit;

-- The expected report, as the owner, over the rows `scope` selects.
create or replace function pg_temp.expected(group_by text, scope text)
returns table (organization_id uuid, organization_name text, model_id uuid, model_name text,
  user_id uuid, user_name text, day date, tokens bigint, requests bigint, records bigint)
language plpgsql as $$
begin
  return query execute format($q$
    select
      case when %1$L = 'org' then u.organization_id end,
      case when %1$L = 'org' then max(o.name) end,
      case when %1$L in ('model', 'model_user') then u.model_id end,
      case when %1$L in ('model', 'model_user') then max(u.model_name) end,
      case when %1$L in ('user', 'model_user') then u.user_id end,
      case when %1$L in ('user', 'model_user') then max(p.display_name) end,
      case when %1$L = 'day' then (u.created_at at time zone 'UTC')::date end,
      sum(u.tokens_used)::bigint, sum(u.requests_count)::bigint, count(*)::bigint
    from public.ai_model_usage u
    join public.organizations o on o.id = u.organization_id
    join public.profiles p on p.id = u.user_id
    where %2$s
    group by 1, 3, 5, 7
  $q$, group_by, scope);
end;
$$;

create temporary table scopes (email text, scope text);
insert into scopes values
  ('user1@bright-visas.example.test', format('u.user_id = %L', tests.user_id('user1@bright-visas.example.test'))),
  ('admin@bright-visas.example.test', format('u.organization_id = %L', tests.org_id('bright-visas'))),
  ('superadmin@example.test', 'true');

create temporary table expected as
  select s.email, g.group_by, e.*
  from scopes s
  cross join unnest(array['model', 'user', 'day', 'model_user', 'org']) as g (group_by)
  cross join lateral pg_temp.expected(g.group_by, s.scope) e;
grant select on expected to authenticated;

create or replace function pg_temp.report_matches(email text, group_by text) returns text
language plpgsql as $$
begin
  perform tests.authenticate_as(email);
  return set_eq(
    format('select * from public.usage_report(%L)', group_by),
    format('select organization_id, organization_name, model_id, model_name, user_id, user_name, day,
              tokens, requests, records from expected where email = %L and group_by = %L', email, group_by),
    format('%s: usage_report(%s) equals the sums over the rows the role reads', email, group_by)
  );
end;
$$;

select pg_temp.report_matches(s.email, g.group_by)
from (values ('user1@bright-visas.example.test'), ('admin@bright-visas.example.test'), ('superadmin@example.test')) s (email)
cross join (values ('model'), ('user'), ('day'), ('model_user'), ('org')) g (group_by);

-- Not vacuous: each role sees a different total, and the day grouping has two days.
select tests.authenticate_as('user1@bright-visas.example.test');
select is((select count(*)::int from public.usage_report('day')), 2, 'two days of usage in the day grouping');
select is((select array_agg(user_id) from public.usage_report('user')), array[tests.user_id('user1@bright-visas.example.test')],
  'a user''s report holds only their own usage');
select tests.authenticate_as('admin@bright-visas.example.test');
select is((select array_agg(organization_name) from public.usage_report('org')), array['Bright Visas'],
  'an admin''s org report holds only their organization');
select tests.authenticate_as('superadmin@example.test');
select is((select count(*)::int from public.usage_report('org')), 5, 'a superadmin''s org report covers every organization');

-- The time range is [since, until).
select is(
  (select sum(tokens) from public.usage_report('model', now() - interval '1 day', now() + interval '1 day')),
  (select sum(tokens_used)::numeric from public.ai_model_usage where created_at >= now() - interval '1 day'),
  'since/until keep only the rows in the range'
);

-- Refusals.
select throws_ok($$select * from public.usage_report('week')$$, 'AM009',
  'invalid_argument: group_by must be one of model, user, day, model_user, org (got ''week'')',
  'an unknown grouping is refused, naming the accepted ones');
select throws_ok($$select * from public.usage_report(null)$$, 'AM009', null, 'a missing grouping is refused');
select throws_ok($$select * from public.usage_report('model', now(), now() - interval '1 day')$$, 'AM009',
  'invalid_argument: since must not be after until', 'an inverted range is refused');
select tests.authenticate_as_key('anon');
select throws_ok($$select * from public.usage_report('model')$$, '42501', null, 'anon cannot report');

select * from finish();
rollback;
