/**
  * A caller's usage rows a page at a time, read by one query per kind of caller:
  * own_usage_rows() for anyone's own rows, org_usage_rows() for an admin's organization.
  *
  * The client asked for these rows from the table, `user_id = me` (or `organization_id =
  * mine`), a window, by date, a page of 1,000. Under the read policy the planner multiplies
  * the request's condition by the policy's arms on the same columns, as if independent, and
  * expects a handful of rows: it reads every row of the window through the arms' indexes
  * and sorts them for the first 1,000, where the owner walks one index in order and stops.
  * On the large bench data an admin's first page ran 36-59x the owner's (77-115 ms against
  * 2 ms) and a user's up to 7-11x (BENCHMARKS.md). No policy on those columns escapes the
  * multiplication.
  *
  * Each function states its rule once and reads as the owner (security definer), with the
  * caller's id or organization as one value: own rows, `user_id = auth.uid()`, the
  * policy's own-rows arm; the organization's, `organization_id =
  * private.administered_org_id()`, its admin arm (null, so refused, for anyone but an
  * admin). The page is given by key: the rows after (after_created_at, after_id) in
  * (created_at, id) order, at most max_rows (1..1000), so every page is one walk of the
  * caller's index from the key, however deep.
  *
  * tests: pgTAP 50; the RLS matrix (usage rows by page).
  */

/**
  * -------------------------------------------------------
  * Section - One page of rows, given who and where
  * -------------------------------------------------------
  */

-- The checks every page's arguments pass (who may read is the callers' to decide).
create or replace function private.check_usage_page(
  since timestamptz,
  until timestamptz,
  after_created_at timestamptz,
  after_id uuid,
  max_rows integer
)
  returns void
  language plpgsql
  stable
  set search_path = ''
  set plan_cache_mode = auto
as $$
begin
  if since > until then
    perform private.refuse(
      'AM009', 'since must not be after until', format('since=%s until=%s', since, until)
    );
  end if;
  if (after_created_at is null) <> (after_id is null) then
    perform private.refuse('AM009', 'after_created_at and after_id go together');
  end if;
  if max_rows is null or max_rows not between 1 and 1000 then
    perform private.refuse(
      'AM009', 'max_rows must be 1 to 1000', format('max_rows=%s', max_rows)
    );
  end if;
end;
$$;

-- One page of the log's rows whose `by_column` equals $1, with $2..$6 the window's since
-- and until, the key's created_at and id, and the page size (nulls: no bound, no key).
-- Run with EXECUTE, so it is planned at each call with its values, as usage_report's
-- statement is: a plan kept for any caller expects the average caller's share of the log,
-- and for one who holds tens of thousands of rows in the window it read and sorted them
-- all for the first page.
create or replace function private.usage_page_query(by_column text)
  returns text
  language plpgsql
  immutable
  set search_path = ''
  set plan_cache_mode = auto
as $$
begin
  if by_column not in ('user_id', 'organization_id') then
    raise exception 'usage_page_query: no page by %', by_column;
  end if;
  return format(
    $q$
    select u.*
    from public.ai_model_usage u
    where u.%I = $1
      and u.created_at >= greatest(coalesce($2, '-infinity'), coalesce($4, '-infinity'))
      and u.created_at < coalesce($3, 'infinity')
      and (u.created_at, u.id) > (
        coalesce($4, '-infinity'), coalesce($5, '00000000-0000-0000-0000-000000000000')
      )
    order by u.created_at, u.id
    limit $6
    $q$,
    by_column
  );
end;
$$;

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
as $$
declare
  caller uuid := auth.uid();
begin
  if caller is null then
    raise exception using
      errcode = '42501', message = 'permission denied: own usage needs a signed-in caller';
  end if;
  perform private.check_usage_page(since, until, after_created_at, after_id, max_rows);
  return query execute private.usage_page_query('user_id')
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
  return query execute private.usage_page_query('organization_id')
    using org, since, until, after_created_at, after_id, max_rows;
end;
$$;

revoke execute on function
  private.check_usage_page(timestamptz, timestamptz, timestamptz, uuid, integer),
  private.usage_page_query(text)
  from public, anon, authenticated;
revoke execute on function public.own_usage_rows(timestamptz, timestamptz, timestamptz, uuid, integer)
  from public, anon;
revoke execute on function public.org_usage_rows(timestamptz, timestamptz, timestamptz, uuid, integer)
  from public, anon;
grant execute on function public.own_usage_rows(timestamptz, timestamptz, timestamptz, uuid, integer)
  to authenticated;
grant execute on function public.org_usage_rows(timestamptz, timestamptz, timestamptz, uuid, integer)
  to authenticated;
