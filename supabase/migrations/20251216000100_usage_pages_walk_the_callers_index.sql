/**
  * A page of usage rows is one walk of the caller's own index, from the page's key to its
  * last row, whoever the caller and whatever the log's statistics say of them.
  *
  * own_usage_rows() and org_usage_rows() (20251215000100_usage_rows_paged_by_key) ran the
  * client's filter: `user_id = $1` (or organization_id), a window, by (created_at, id).
  * Planned with the caller's value, the plan followed the planner's estimate of the
  * caller's share of the window: a caller with more rows than a page among many others'
  * got a walk of the date index that filtered out everyone else's rows (48,641 read for a
  * page of 1,000 at medium wide, a user's page 3.1-3.6x the owner's at small and medium
  * wide), and a caller taken for light got their whole window read and sorted for each
  * page (BENCHMARKS.md).
  *
  *   - The statement bounds the rows by row comparisons on (caller's column, created_at,
  *     id): from ($1, the key) or ($1, since), to ($1, until). Only rows of the caller lie
  *     between two bounds that both lead with the caller, and only the caller's index
  *     (user_id, created_at) or (organization_id, created_at) can serve them, as one range.
  *   - It is ordered by (caller's column, created_at, id), the order that index keeps up to
  *     its last column: the page is the walk with rows of the same instant sorted by id,
  *     stopping at max_rows.
  *   - The functions run with enable_sort off: a row comparison is estimated by its first
  *     column alone, and for an id near either end of the uuid range the estimate is a
  *     handful of rows, for which reading the range whole and sorting it looks cheaper
  *     than the walk. The walk is never worse; the setting holds only while the function
  *     runs its one statement.
  *
  * tests: tests/database/test_usage_page_plan.py (the plans, the seed's and the large
  * scale's counts); pgTAP 50 (rows and pages).
  */

/**
  * -------------------------------------------------------
  * Section - The page's statement
  * -------------------------------------------------------
  */

-- One page of the log's rows whose `by_column` is $1, with $2..$6 the window's since and
-- until, the key's created_at and id, and the page size (nulls: no bound, no key). The
-- page starts after the key when there is one at or after since, else at since; the
-- statement differs only in that bound. Run with EXECUTE, planned at each call.
create or replace function private.usage_page_query(
  by_column text,
  since timestamptz,
  after_created_at timestamptz
)
  returns text
  language plpgsql
  immutable
  set search_path = ''
  set plan_cache_mode = auto
as $$
declare
  from_key boolean := after_created_at >= coalesce(since, '-infinity');
begin
  if by_column not in ('user_id', 'organization_id') then
    raise exception 'usage_page_query: no page by %', by_column;
  end if;
  return format(
    $q$
    select u.*
    from public.ai_model_usage u
    where %2$s
      and (u.%1$I, u.created_at) < ($1, coalesce($3, 'infinity'))
    order by u.%1$I, u.created_at, u.id
    limit $6
    $q$,
    by_column,
    case
      when coalesce(from_key, false) then format('(u.%I, u.created_at, u.id) > ($1, $4, $5)', by_column)
      else format('(u.%I, u.created_at) >= ($1, coalesce($2, ''-infinity''))', by_column)
    end
  );
end;
$$;

drop function private.usage_page_query(text);

/**
  * -------------------------------------------------------
  * Section - The paged functions
  * -------------------------------------------------------
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
  set plan_cache_mode = auto
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
  return query execute private.usage_page_query('user_id', since, after_created_at)
    using caller, since, until, after_created_at, after_id, max_rows;
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
  set plan_cache_mode = auto
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
  return query execute private.usage_page_query('organization_id', since, after_created_at)
    using org, since, until, after_created_at, after_id, max_rows;
end;
$$;

revoke execute on function private.usage_page_query(text, timestamptz, timestamptz)
  from public, anon, authenticated;
