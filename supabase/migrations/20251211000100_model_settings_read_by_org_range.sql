/**
  * The model settings read policy admits an organization range that an index serves.
  *
  * The policy was `organization_id = any ((select private.readable_org_ids())::uuid[])`.
  * The array is a query parameter, so the planner cannot see its length and takes it for
  * ten organizations: on the small bench data (1,025 settings rows) it scanned the whole
  * table and searched the array for every row, where the caller's one organization needs
  * a single index probe. An admin's visible models with their settings ran 0.43 ms against
  * the owner's 0.21 ms; with the settings read by index, 0.22 ms (BENCHMARKS.md).
  *
  * Now the policy is a range of organization ids between two bounds read from the caller's
  * profile: a member's own organization to itself, or for a superadmin the least uuid to
  * the greatest (every row: organization_id is never null). Nobody else gets bounds, and
  * no row. A range between two unknown bounds is one condition of
  * org_system_model_config_org_model_key, which the planner prices at 0.5% of the rows, so
  * every caller's plan reads by that index.
  *
  * Who is a superadmin and who is a member of which organization is still read from
  * profiles alone, as private.readable_org_ids() reads it. The bounds are parallel
  * restricted, like the usage read policy's helpers: the policy calls each once per
  * statement, in the leader, and a read of the settings may still be planned in parallel.
  */

/**
  * -------------------------------------------------------
  * Section - The bounds of the organizations a caller may read
  * -------------------------------------------------------
  */

/**
  * The least organization id whose model settings the caller may read: the least uuid for
  * a superadmin, a member's own organization, null for anyone else.
  */
create function private.least_readable_org_id()
  returns uuid
  language plpgsql
  stable
  parallel restricted
  security definer
  set search_path = ''
  set plan_cache_mode = auto
as $$
begin
  return (
    select case
      when p.role = 'superadmin' then '00000000-0000-0000-0000-000000000000'::uuid
      else p.organization_id
    end
    from public.profiles p
    where p.id = auth.uid()
  );
end;
$$;

/**
  * The greatest organization id whose model settings the caller may read: the greatest
  * uuid for a superadmin, a member's own organization, null for anyone else.
  */
create function private.greatest_readable_org_id()
  returns uuid
  language plpgsql
  stable
  parallel restricted
  security definer
  set search_path = ''
  set plan_cache_mode = auto
as $$
begin
  return (
    select case
      when p.role = 'superadmin' then 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid
      else p.organization_id
    end
    from public.profiles p
    where p.id = auth.uid()
  );
end;
$$;

revoke execute on function private.least_readable_org_id() from public;
revoke execute on function private.greatest_readable_org_id() from public;
grant execute on function private.least_readable_org_id() to authenticated, service_role;
grant execute on function private.greatest_readable_org_id() to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Read policy
  * -------------------------------------------------------
  */

alter policy "superadmins and members can read their org's model settings"
  on public.org_system_model_config
  using (
    organization_id >= (select private.least_readable_org_id())
    and organization_id <= (select private.greatest_readable_org_id())
  );
