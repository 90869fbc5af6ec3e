/**
  * Reads of the usage log through the API may run in parallel, as the owner's do.
  *
  * Postgres plans a query in parallel only when nothing in it is parallel unsafe, and a
  * function is unsafe unless it is marked otherwise. The usage read policy called
  * auth.uid() and two plpgsql helpers, all unsafe, so every read of the log as a user, an
  * admin or a superadmin ran in one process, where the owner's hand-written query over a
  * heavy user's month used two workers besides (large, heavy shape: 2.8x the owner's time,
  * BENCHMARKS.md).
  *
  *   - private.caller_id() reads the caller's id exactly as auth.uid() does (the `sub` of
  *     request.jwt.claims, or the older request.jwt.claim.sub) and is parallel safe: it
  *     only reads settings, which parallel workers share with their leader. The read
  *     policy calls it instead of auth.uid(), which belongs to the platform (its marking is
  *     not ours to change). pgTAP 43 holds the two equal.
  *   - private.administered_org_id() and private.superadmin_usage_since() are parallel
  *     restricted: the policy calls each once per statement as an initplan, which the
  *     leader runs and hands to the workers. (They read tables through security definer
  *     plpgsql; restricted keeps them out of the workers.)
  */

/**
  * -------------------------------------------------------
  * Section - The caller, parallel safe
  * -------------------------------------------------------
  */

create or replace function private.caller_id()
  returns uuid
  language sql
  stable
  parallel safe
  set search_path = ''
as $$
  select coalesce(
    nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
    (nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

revoke execute on function private.caller_id() from public;
grant execute on function private.caller_id() to authenticated, service_role;

alter function private.administered_org_id() parallel restricted;
alter function private.superadmin_usage_since() parallel restricted;

/**
  * -------------------------------------------------------
  * Section - Read policy
  * -------------------------------------------------------
  */

-- As in 20251207000200_superadmin_usage_arm_by_date, with the caller from caller_id().
alter policy "superadmins, org admins and users can read usage"
  on public.ai_model_usage
  using (
    user_id = (select private.caller_id())
    or organization_id = (select private.administered_org_id())
    or (
      created_at > (select private.superadmin_usage_since())
      -- Always true; tell the planner this arm is narrow.
      and created_at < (select 'infinity'::timestamptz)
      and organization_id >= (select '00000000-0000-0000-0000-000000000000'::uuid)
      and organization_id <= (select 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)
    )
  );
