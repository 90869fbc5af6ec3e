/**
  * The superadmin arm of the usage read policy tests one date per row instead of searching
  * an array of every organization.
  *
  * The arm was `organization_id = any ((select private.superadmin_org_ids())::uuid[])`,
  * every organization's id for a superadmin. Where the planner reads by created_at and
  * filters (a superadmin's day across organizations, the plan the owner's query gets too),
  * the filter searches that array for every row: with 10,000 organizations (large, heavy
  * shape) one day's 19,000 rows took 1.1 s against the owner's 5 ms (BENCHMARKS.md). Postgres
  * hashes an `= any` array only when it is a constant, and this one is a query parameter.
  *
  * Now a superadmin's arm is `created_at > (select private.superadmin_usage_since())`:
  * '-infinity' for a superadmin (every row), null for anyone else (no row, and an index scan
  * of it reads nothing). One comparison per row, served by the created_at index. Its
  * companions are always true and there only for the planner: `created_at < (select
  * 'infinity')`, and `organization_id` between the least and the greatest uuid, each a range
  * between two unknown bounds, which the planner estimates at 0.5% of the rows. So the arm
  * looks narrow to a user's and an admin's plans, which stay on their own index (without the
  * organization bounds an admin's month was planned as a read of the whole month by date).
  *
  * Who is a superadmin is still private.is_superadmin(). The holds keep their `= any` arm:
  * they are few, and read by key.
  */

/**
  * -------------------------------------------------------
  * Section - The superadmin arm's bound
  * -------------------------------------------------------
  */

/**
  * The earliest usage a superadmin's read arm admits: '-infinity' (all of it) for a
  * superadmin, null (none) for anyone else.
  */
create or replace function private.superadmin_usage_since()
  returns timestamptz
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  if private.is_superadmin() then
    return '-infinity';
  end if;
  return null;
end;
$$;

revoke execute on function private.superadmin_usage_since() from public;
grant execute on function private.superadmin_usage_since() to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Read policy
  * -------------------------------------------------------
  */

alter policy "superadmins, org admins and users can read usage"
  on public.ai_model_usage
  using (
    user_id = (select auth.uid())
    or organization_id = (select private.administered_org_id())
    or (
      created_at > (select private.superadmin_usage_since())
      -- Always true; tell the planner this arm is narrow (see the header).
      and created_at < (select 'infinity'::timestamptz)
      and organization_id >= (select '00000000-0000-0000-0000-000000000000'::uuid)
      and organization_id <= (select 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)
    )
  );
