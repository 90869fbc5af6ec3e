/**
  * Nothing a read policy calls keeps a query out of parallel plans.
  *
  * Postgres plans a query in parallel only when nothing anywhere in it is parallel unsafe,
  * and a function is unsafe unless marked otherwise. The usage log's own read policy was
  * made parallel ready (20251207000300_usage_reads_in_parallel), but a read of the log that
  * also reads another table under its policy, as usage_report() does for the names of
  * the users and organizations it reports, took that table's unsafe helpers into the whole
  * query: the profiles policy called auth.uid() and private.is_superadmin(). An admin's
  * month by user over the large heavy bench data ran in one process, 791 ms, where the
  * owner's query used two workers besides; with the helpers below, 341 ms with two workers
  * (BENCHMARKS.md).
  *
  *   - The helpers the read policies call are parallel restricted: each is an initplan,
  *     run once per statement by the leader, which hands its value to the workers. They
  *     read tables through security definer plpgsql, so they stay out of the workers.
  *   - The profiles and the holds read policies take the caller from private.caller_id(),
  *     parallel safe and equal to auth.uid() (pgTAP 43), as the usage read policy does.
  *
  * pgTAP 49 checks that no read policy calls a parallel unsafe function.
  */

/**
  * -------------------------------------------------------
  * Section - Helpers, run by the leader
  * -------------------------------------------------------
  */

alter function private.is_superadmin() parallel restricted;
alter function private.current_org_id() parallel restricted;
alter function private.current_user_role() parallel restricted;
alter function private.readable_model_ids() parallel restricted;
alter function private.superadmin_org_ids() parallel restricted;

/**
  * -------------------------------------------------------
  * Section - Read policies, the caller from caller_id()
  * -------------------------------------------------------
  */

alter policy "superadmins, org admins and owners can read profiles"
  on public.profiles
  using (
    id = (select private.caller_id())
    or (select private.is_superadmin())
    or organization_id = (select private.administered_org_id())
  );

alter policy "owners, org admins and superadmins can read holds"
  on public.usage_reservations
  using (
    user_id = (select private.caller_id())
    or organization_id = (select private.administered_org_id())
    or organization_id = any ((select private.superadmin_org_ids())::uuid[])
  );
