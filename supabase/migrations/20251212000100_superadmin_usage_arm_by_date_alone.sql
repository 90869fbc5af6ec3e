/**
  * A superadmin's read of the usage log by date is served by an index that leads with the
  * date, never by the organization index.
  *
  * The superadmin arm of the usage read policy is a date, `created_at > (select
  * private.superadmin_usage_since())`, with companions that are always true and there for
  * the planner (20251207000200_superadmin_usage_arm_by_date): two ranges between unknown
  * bounds, each estimated at 0.5% of the rows, so that the arm looks narrow to users' and
  * admins' plans. One of them ranged over `organization_id`, and the organization index
  * (organization_id, created_at) can serve a range on its leading column: that path covers
  * every condition of the arm, where the date index left the organization range to be
  * checked row by row, so it could look the cheaper. Which one the planner took turned on
  * the log's statistics. Once the log was re-analyzed, a
  * superadmin's day read every entry of the organization index to keep one day's: 12.9x
  * the owner's time on the medium bench data, and a month 3.2x (BENCHMARKS.md).
  *
  *   - The arm's second range is over `model_id`, which leads no index.
  *   - A date index on (created_at, model_id) serves every condition of the arm (nothing
  *     is left to check row by row), and it is the only index that can.
  *   - The index on created_at alone stays for reads by date: the planner prices a range
  *     scan of a two-column index as if its rows were scattered (it takes three quarters
  *     of the leading column's correlation), and with it as the only date index the
  *     owner's and usage_across_orgs()' day were planned with a sort instead of a hash and
  *     ran up to 1.4x slower (BENCHMARKS.md). Inserts maintain one more index; recording's
  *     server time per call did not move measurably.
  *
  * tests/database/test_usage_read_superadmin_plan.py checks the plans.
  */

/**
  * -------------------------------------------------------
  * Section - The superadmin arm's index
  * -------------------------------------------------------
  */

create index ai_model_usage_created_model_idx
  on public.ai_model_usage (created_at, model_id);

/**
  * -------------------------------------------------------
  * Section - Read policy
  * -------------------------------------------------------
  */

alter policy "superadmins, org admins and users can read usage"
  on public.ai_model_usage
  using (
    user_id = (select private.caller_id())
    or organization_id = (select private.administered_org_id())
    or (
      created_at > (select private.superadmin_usage_since())
      -- Always true; tell the planner this arm is narrow (see the header).
      and created_at < (select 'infinity'::timestamptz)
      and model_id >= (select '00000000-0000-0000-0000-000000000000'::uuid)
      and model_id <= (select 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)
    )
  );
