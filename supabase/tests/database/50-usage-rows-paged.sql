begin;
\ir ../helpers.psql
select plan(22);

-- own_usage_rows() and org_usage_rows(): a caller's usage rows a page at a time, by key.
-- Each returns exactly what the read policy lets that caller read with the same filter,
-- in (created_at, id) order, and its pages put together are every row once.

-- More rows than a page, at distinct and at equal times, for user1 of bright-visas.
-- Written with triggers off, as the bench loader writes history: admission would stamp
-- every row with now().
set local session_replication_role = replica;
insert into public.ai_model_usage (
  user_id, organization_id, model_id, model_name, tokens_used,
  period_start, period_end, period_type, created_at)
select tests.user_id('user1@bright-visas.example.test'), tests.org_id('bright-visas'),
  tests.model_id('Immigration Case Assistant'), 'Immigration Case Assistant', 1,
  now() - interval '40 days', now(), 'monthly',
  now() - interval '1 day' + (g / 3) * interval '1 minute'  -- three rows per minute
from generate_series(1, 25) g;
set local session_replication_role = origin;

select tests.clear_authentication();
create temporary table owner_rows as
  select u.id, u.user_id, u.organization_id, u.created_at from public.ai_model_usage u;
grant select on owner_rows to authenticated;

-- ---------------------------------------------------------------------------
-- What each caller reads
-- ---------------------------------------------------------------------------
select tests.authenticate_as('user1@bright-visas.example.test');
select results_eq(
  $$select id from public.own_usage_rows()$$,
  format('select id from owner_rows where user_id = %L order by created_at, id',
    tests.user_id('user1@bright-visas.example.test')),
  'a user''s own rows, in (created_at, id) order');
select set_eq($$select id from public.own_usage_rows()$$,
  format('select id from public.ai_model_usage where user_id = %L',
    tests.user_id('user1@bright-visas.example.test')),
  'the same rows the read policy gives the user for their own id');
select throws_ok($$select * from public.org_usage_rows()$$, '42501', null,
  'a user reads no organization''s rows');

select tests.authenticate_as('admin@bright-visas.example.test');
select results_eq(
  $$select id from public.org_usage_rows()$$,
  format('select id from owner_rows where organization_id = %L order by created_at, id',
    tests.org_id('bright-visas')),
  'an admin''s organization''s rows, in (created_at, id) order');
select set_eq($$select id from public.org_usage_rows()$$,
  format('select id from public.ai_model_usage where organization_id = %L',
    tests.org_id('bright-visas')),
  'the same rows the read policy gives the admin for their organization');
select is((select count(*)::int from public.own_usage_rows()), 0,
  'an admin''s own rows: none recorded');

select tests.authenticate_as('admin@pulse-health.example.test');
select set_eq($$select id from public.org_usage_rows()$$,
  format('select id from owner_rows where organization_id = %L', tests.org_id('pulse-health')),
  'another admin reads only their own organization''s rows');

select tests.authenticate_as('superadmin@example.test');
select is((select count(*)::int from public.own_usage_rows()), 0,
  'a superadmin has no own rows');
select throws_ok($$select * from public.org_usage_rows()$$, '42501', null,
  'a superadmin administers no organization');

select tests.authenticate_as_key('anon');
select throws_ok($$select * from public.own_usage_rows()$$, '42501', null,
  'anon may not call own_usage_rows()');
select throws_ok($$select * from public.org_usage_rows()$$, '42501', null,
  'anon may not call org_usage_rows()');

-- ---------------------------------------------------------------------------
-- Pages by key
-- ---------------------------------------------------------------------------
-- The caller's rows read page after page, each page after the last row of the one before,
-- as the client reads them (client/usage_rows.py): (page, position on the page, id).
create function pg_temp.pages(
  window_since timestamptz, window_until timestamptz, page_size int
) returns table (page int, n int, id uuid)
language plpgsql as $$
declare
  last_at timestamptz;
  last_id uuid;
  rows_read int;
begin
  page := 0;
  loop
    page := page + 1;
    rows_read := 0;
    for n, id, last_at in
      select r.ordinality, r.id, r.created_at
      from public.own_usage_rows(
        since => window_since, until => window_until,
        after_created_at => last_at, after_id => last_id, max_rows => page_size)
        with ordinality r
    loop
      last_id := id;
      rows_read := rows_read + 1;
      return next;
    end loop;
    exit when rows_read < page_size or page > 100;
  end loop;
end;
$$;

select tests.authenticate_as('user1@bright-visas.example.test');
create temporary table pages as select * from pg_temp.pages(null, null, 4);
select results_eq(
  $$select id from pages order by page, n$$,
  $$select id from public.own_usage_rows()$$,
  'pages of 4 by key put together are every row once, in order');
select cmp_ok((select max(page) from pages), '>', 5, 'not vacuous: more than five pages');

select is(
  (select array_agg(id order by created_at, id) from public.own_usage_rows(
    since => now() - interval '1 day', until => now() - interval '1 day' + interval '4 minutes')),
  (select array_agg(id order by created_at, id) from owner_rows
   where user_id = tests.user_id('user1@bright-visas.example.test')
     and created_at >= now() - interval '1 day'
     and created_at < now() - interval '1 day' + interval '4 minutes'),
  'since and until bound the rows like the client''s window');
select is((select count(*)::int from public.own_usage_rows(
    since => now() - interval '1 day', until => now() - interval '1 day' + interval '4 minutes')),
  11, 'not vacuous: the window holds eleven of the rows');

select is(
  (select array_agg(r.id) from public.own_usage_rows(
    since => now() - interval '1 day' + interval '2 minutes',
    after_created_at => now() - interval '2 days',
    after_id => '00000000-0000-0000-0000-000000000000') r),
  (select array_agg(id order by created_at, id) from owner_rows
   where user_id = tests.user_id('user1@bright-visas.example.test')
     and created_at >= now() - interval '1 day' + interval '2 minutes'),
  'a key before since: the page starts at since');

-- Pages by key inside a window, rows at equal times split across pages.
create temporary table window_pages as select * from pg_temp.pages(
  now() - interval '1 day' + interval '1 minute', now() - interval '1 day' + interval '6 minutes', 2);
select results_eq(
  $$select id from window_pages order by page, n$$,
  $$select id from owner_rows
    where user_id = tests.user_id('user1@bright-visas.example.test')
      and created_at >= now() - interval '1 day' + interval '1 minute'
      and created_at < now() - interval '1 day' + interval '6 minutes'
    order by created_at, id$$,
  'pages of 2 inside a window put together are the window''s rows once, in order');
select cmp_ok((select max(page) from window_pages), '>', 3, 'not vacuous: more than three pages');

-- ---------------------------------------------------------------------------
-- Bad input: a clear refusal, nothing read
-- ---------------------------------------------------------------------------
select throws_ok($$select * from public.own_usage_rows(since => now(), until => now() - interval '1 day')$$,
  'AM009', null, 'since after until is refused');
select throws_ok($$select * from public.own_usage_rows(after_created_at => now())$$,
  'AM009', null, 'a key needs both its created_at and its id');
select throws_ok($$select * from public.org_usage_rows(max_rows => 0)$$,
  '42501', null, 'a user is refused before the page size is looked at');
select tests.authenticate_as('admin@bright-visas.example.test');
select throws_ok($$select * from public.org_usage_rows(max_rows => 1001)$$,
  'AM009', null, 'pages hold at most 1000 rows');

select * from finish();
rollback;
