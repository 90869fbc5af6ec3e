/**
  * An admin reads the usage log and the holds of the administered organization only,
  * through a gate as the superadmin does.
  *
  * An admin's token carries `aimodels_admin`, a member of `authenticated`, so two
  * permissive read policies applied: own rows (`to authenticated`) or the administered
  * organization's. Their OR left the planner a BitmapOr of both arms, and it counted the
  * client's own `organization_id = ...` filter twice (in the arm and beside it), so it
  * expected about 70 rows where the month held 52,873 (medium skewed). The admin's first
  * page of the table by organization then read and sorted the organization's whole month,
  * 4.5x the owner's walk of the index that stops at the page, and up to 33x at large
  * (BENCHMARKS.md).
  *
  * - `aimodels_admin` reads `using (true)`, behind a restrictive policy
  *   `organization_id = (select private.administered_org_id())`. The OR of the permissive
  *   policies is then true and folds away at planning: what is left is one condition on the
  *   organization, which the planner merges with the client's filter, as the owner's query
  *   is planned.
  * - What an admin reads is what docs/roles-and-rls.md gives an admin: the own
  *   organization's rows. An admin's own rows recorded in another organization (before a
  *   superadmin moved them) are no longer read through the table; own_usage_rows() still
  *   returns them, as the caller's own usage.
  * - A token that claims `aimodels_admin` for a profile that is not an admin (stale after a
  *   demotion, or set by the platform) reads no usage and no hold: administered_org_id() is
  *   null then.
  *
  * tests: pgTAP 52 (an admin's reach, the moved admin's rows, a claim, the gate's plan);
  * the RLS matrix (the admins' reads; dropping or loosening either policy is caught).
  */

/**
  * The usage log.
  */
drop policy "org admins can read their org's usage" on public.ai_model_usage;

create policy "org admins can read usage behind their org's gate"
  on public.ai_model_usage for select to aimodels_admin
  using (true);

create policy "an admin reads only the administered org's usage"
  on public.ai_model_usage as restrictive for select to aimodels_admin
  using (organization_id = (select private.administered_org_id()));

/**
  * The holds: read like the usage log.
  */
drop policy "org admins can read their org's holds" on public.usage_reservations;

create policy "org admins can read holds behind their org's gate"
  on public.usage_reservations for select to aimodels_admin
  using (true);

create policy "an admin reads only the administered org's holds"
  on public.usage_reservations as restrictive for select to aimodels_admin
  using (organization_id = (select private.administered_org_id()));
