/**
  * A page of usage rows stops at `until`, however many rows the caller has after it, and
  * its statement is planned once per connection instead of at every call.
  *
  * own_usage_rows() and org_usage_rows() (20251216000100_usage_pages_walk_the_callers_index)
  * bound the page by row comparisons that lead with the caller: from ($1, since) or ($1,
  * created_at, id) of the key, to ($1, until). A btree scan ends at an upper bound only when
  * the bound fails on a column that every column before it fixes by an equality, and a row
  * comparison fixes nothing: the upper row comparison fails on created_at with the caller's
  * column still equal, so the walk went on through every row the caller has after `until`,
  * to the next caller's first entry, rejecting each. A page of an earlier month read the
  * index entries of every month since. The benchmarks' user, whose rows the recording
  * benchmark grows after the hot reads' window, had 27,130 of them: a first page of 114 rows
  * read 315 buffers for 1.2 ms, 4.2x the owner's plain query (BENCHMARKS.md).
  *
  *   - The caller is now an equality the scan keeps, `u.column = any (array[caller])`, and
  *     the window plain bounds on created_at: under that equality `created_at < until`
  *     ends the walk at the page's end or at `until`, whichever comes first.
  *   - The equality is written as a one-element array on purpose. A plain `u.column =
  *     caller` tells the planner the column is constant, so that the order (column,
  *     created_at, id) needs only created_at, which the date index keeps too: the plan
  *     would again follow the planner's estimate of the caller's share of the window (the
  *     fault 20251216000100 fixed). The array form is a condition the caller's index serves
  *     and leaves the order to that index alone; with sorting off while the function runs,
  *     no other plan is left.
  *   - The page starts at the later of `since` and the key's instant; the key's row
  *     comparison, `(u.created_at, u.id) > (after_created_at, after_id)`, then drops the
  *     rows of that instant up to the key (and is true of every row when the key lies
  *     before `since`).
  *   - With one plan left whatever the values, the statement is static and planned once per
  *     connection (`plan_cache_mode = force_generic_plan` while the function runs): it was
  *     built as text and planned at every call (EXECUTE), about a fifth of a small page's
  *     time. Each function has its own statement, by its caller's column; the text
  *     builder private.usage_page_query() goes.
  *
  * tests: tests/database/test_usage_page_plan.py (the walk stops at `until`: an hour's page
  * of a caller whose later rows fill many index pages reads a handful of them; the plans of
  * the seed's and the large scale's counts, first and second pages); pgTAP 50 (rows and
  * pages).
  */

create or replace function public.own_usage_rows(
  since timestamptz default null,
  until timestamptz default null,
  after_created_at timestamptz default null,
  after_id uuid default null,
  max_rows integer default 1000
)
  returns setof public.ai_model_usage
  language plpgsql
  stable
  security definer
  set search_path = ''
  set plan_cache_mode = force_generic_plan
  set enable_sort = off
as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null then
    raise exception using
      errcode = '42501', message = 'permission denied: own usage needs a signed-in caller';
  end if;
  perform private.check_usage_page(since, until, after_created_at, after_id, max_rows);
  return query
    select u.*
    from public.ai_model_usage u
    where u.user_id = any (array[caller])
      and u.created_at >= greatest(since, after_created_at, '-infinity')
      and u.created_at < coalesce(until, 'infinity')
      and (own_usage_rows.after_id is null
        or (u.created_at, u.id) > (own_usage_rows.after_created_at, own_usage_rows.after_id))
    order by u.user_id, u.created_at, u.id
    limit max_rows;
end;
$$;

create or replace function public.org_usage_rows(
  since timestamptz default null,
  until timestamptz default null,
  after_created_at timestamptz default null,
  after_id uuid default null,
  max_rows integer default 1000
)
  returns setof public.ai_model_usage
  language plpgsql
  stable
  security definer
  set search_path = ''
  set plan_cache_mode = force_generic_plan
  set enable_sort = off
as $$
declare
  org uuid := private.administered_org_id();
begin
  if org is null then
    raise exception using
      errcode = '42501',
      message = 'permission denied: only an organization''s admin reads its usage rows';
  end if;
  perform private.check_usage_page(since, until, after_created_at, after_id, max_rows);
  return query
    select u.*
    from public.ai_model_usage u
    where u.organization_id = any (array[org])
      and u.created_at >= greatest(since, after_created_at, '-infinity')
      and u.created_at < coalesce(until, 'infinity')
      and (org_usage_rows.after_id is null
        or (u.created_at, u.id) > (org_usage_rows.after_created_at, org_usage_rows.after_id))
    order by u.organization_id, u.created_at, u.id
    limit max_rows;
end;
$$;

drop function private.usage_page_query(text, timestamptz, timestamptz);
