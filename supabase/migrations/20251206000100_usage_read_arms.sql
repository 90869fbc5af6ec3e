/**
  * The usage reads (the log and the holds) get one indexable arm per kind of caller, and
  * superadmins get a report that reads by day.
  *
  * The read policy was `user_id = (select auth.uid()) or organization_id = any ((select
  * private.usage_report_org_ids())::uuid[])`. The planner cannot know the array's length, so
  * it estimates the org arm as ten organizations' rows; where organizations are few (or a
  * few are large) that looks like a tenth of the log, and it reads the query's whole
  * created_at range and filters it: a user's own month read every user's month (1.75x to
  * 9x the hand-written query at small). Now each kind of caller has its own arm, and the
  * arms of the other kinds compare with null or an empty array, which an index scan answers
  * without reading:
  *   - a user:       user_id = (select auth.uid()), served by (user_id, created_at);
  *   - an admin:     organization_id = (select private.administered_org_id()), one org,
  *                   estimated as one org's rows, served by (organization_id, created_at);
  *   - a superadmin: organization_id = any ((select private.superadmin_org_ids())::uuid[]),
  *                   every organization for a superadmin, none for anyone else.
  * The superadmin arm carries `created_at > (select '-infinity') and created_at < (select
  * 'infinity')`: true for every row (created_at is a finite time), and there only for the
  * planner, which estimates a range between two unknown bounds at 0.5%, so the arm no longer
  * looks like ten organizations' rows to the other callers' plans. (Bare constants would be
  * estimated from the column's statistics: all rows.)
  *
  * A superadmin's day across organizations read through the table probes every organization
  * (one index descent each); public.usage_across_orgs() reads the day by created_at instead,
  * as the owner would.
  *
  * The rules stay where they were: who is a superadmin is private.is_superadmin(), which
  * organization a caller administers is private.administered_org_id().
  * private.usage_report_org_ids() had no other caller and goes.
  */

/**
  * -------------------------------------------------------
  * Section - Indexes
  * -------------------------------------------------------
  */

-- Serves the user arm with the query's created_at range: a heavy user's month is one range
-- of this index, where (user_id, model_id, created_at) reads their whole history per model.
create index ai_model_usage_user_created_idx
  on public.ai_model_usage (user_id, created_at);

/**
  * -------------------------------------------------------
  * Section - The superadmin arm
  * -------------------------------------------------------
  */

/**
  * Every organization for a superadmin (what readable_org_ids() gives them), none for anyone
  * else. Policies compare `organization_id = any ((select private.superadmin_org_ids())::uuid[])`.
  */
create or replace function private.superadmin_org_ids()
  returns uuid[]
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  if private.is_superadmin() then
    return private.readable_org_ids();
  end if;
  return '{}'::uuid[];
end;
$$;

revoke execute on function private.superadmin_org_ids() from public;
grant execute on function private.superadmin_org_ids() to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Read policies
  * -------------------------------------------------------
  */

alter policy "superadmins, org admins and users can read usage"
  on public.ai_model_usage
  using (
    user_id = (select auth.uid())
    or organization_id = (select private.administered_org_id())
    or (
      organization_id = any ((select private.superadmin_org_ids())::uuid[])
      -- Always true; tells the planner this arm is narrow (see the header).
      and created_at > (select '-infinity'::timestamptz)
      and created_at < (select 'infinity'::timestamptz)
    )
  );

-- Holds are read like usage, arm for arm (the holds are few: no planner hint needed).
alter policy "owners, org admins and superadmins can read holds"
  on public.usage_reservations
  using (
    user_id = (select auth.uid())
    or organization_id = (select private.administered_org_id())
    or organization_id = any ((select private.superadmin_org_ids())::uuid[])
  );

drop function private.usage_report_org_ids();

/**
  * -------------------------------------------------------
  * Section - Usage across organizations
  * -------------------------------------------------------
  */

/**
  * Totals per organization and model of the usage recorded in [since, until) (a null bound is
  * open), for superadmins (and the platform: service_role); anyone else gets 42501. Security
  * definer so it reads the range by created_at instead of probing every organization through
  * the read policy; the check at the top is its whole access rule. since after until is
  * refused AM009.
  */
create or replace function public.usage_across_orgs(
  since timestamptz default null,
  until timestamptz default null
)
  returns table (
    organization_id uuid,
    model_id uuid,
    tokens bigint,
    requests bigint,
    records bigint
  )
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  -- Plain parameters for the index condition, as in usage_report().
  range_start timestamptz := coalesce(usage_across_orgs.since, '-infinity');
  range_end timestamptz := coalesce(usage_across_orgs.until, 'infinity');
begin
  if not private.is_platform_or_superadmin_request() then
    raise exception using
      errcode = '42501',
      message = 'permission denied: only superadmins may read usage across organizations';
  end if;
  if usage_across_orgs.since > usage_across_orgs.until then
    perform private.refuse(
      'AM009', 'since must not be after until',
      format('since=%s until=%s', usage_across_orgs.since, usage_across_orgs.until)
    );
  end if;

  return query
  select
    u.organization_id,
    u.model_id,
    sum(u.tokens_used)::bigint,
    sum(u.requests_count)::bigint,
    count(*)::bigint
  from public.ai_model_usage u
  where u.created_at >= range_start
    and u.created_at < range_end
  group by u.organization_id, u.model_id
  order by u.organization_id, u.model_id;
end;
$$;

revoke execute on function public.usage_across_orgs(timestamptz, timestamptz) from public, anon;
grant execute on function public.usage_across_orgs(timestamptz, timestamptz) to authenticated, service_role;
