/**
  * The catalog and the model settings are read like the usage log: one policy per role.
  *
  * Both read policies gave every signed-in caller the superadmin's reach as well as their
  * own: the catalog's `(select is_superadmin()) or id = any (readable models)`, the
  * settings' `organization_id` between two bounds that a superadmin's profile widens to
  * every uuid. So each read of the admin's model screen (the catalog joined with the
  * organization's settings) ran four definer helpers where the owner's query runs none: at
  * medium it took 0.29-0.40 ms against the owner's 0.21-0.25 (1.33-1.59x; BENCHMARKS.md).
  * Superadmins now sign in as `aimodels_superadmin` (20251218000100), so their reach can be
  * a policy of that role:
  *
  * - `authenticated` (every signed-in caller, admins included): the catalog's readable
  *   models, `id = any ((select private.readable_model_ids()))`; the settings of the
  *   caller's own organization, `organization_id = (select private.current_org_id())`.
  *   One helper per table, one index condition.
  * - `aimodels_superadmin`: every model and every organization's settings, `using (true)`,
  *   with a restrictive policy `(select private.is_superadmin())` beside each, as on the
  *   usage log: a role claim never grants more than the profile, and a demotion takes
  *   effect at once.
  * - A superadmin's reach comes with the superadmin's token, as on the usage log: a token
  *   issued before a promotion reads what it read before (no model and no settings for a
  *   superadmin without an organization) until the next token.
  * - The settings' bounds (least_readable_org_id(), greatest_readable_org_id()) have no
  *   caller left and are dropped.
  *
  * tests: pgTAP 48 (each role's reach on both tables, a claim and a stale token, the
  * policies' helpers), the RLS matrix (`claims_superadmin` reads no model and no settings).
  */

/**
  * The catalog.
  */
drop policy "superadmins, admins and users can read the models they may see"
  on public.ai_models_system;

create policy "admins and users can read the models they may see"
  on public.ai_models_system for select to authenticated
  using (id = any ((select private.readable_model_ids())::uuid[]));

create policy "superadmins can read every model"
  on public.ai_models_system for select to aimodels_superadmin
  using (true);

create policy "only a superadmin reads models as one"
  on public.ai_models_system as restrictive for select to aimodels_superadmin
  using ((select private.is_superadmin()));

/**
  * The model settings.
  */
drop policy "superadmins and members can read their org's model settings"
  on public.org_system_model_config;

create policy "members can read their org's model settings"
  on public.org_system_model_config for select to authenticated
  using (organization_id = (select private.current_org_id()));

create policy "superadmins can read every org's model settings"
  on public.org_system_model_config for select to aimodels_superadmin
  using (true);

create policy "only a superadmin reads model settings as one"
  on public.org_system_model_config as restrictive for select to aimodels_superadmin
  using ((select private.is_superadmin()));

drop function private.least_readable_org_id();
drop function private.greatest_readable_org_id();
