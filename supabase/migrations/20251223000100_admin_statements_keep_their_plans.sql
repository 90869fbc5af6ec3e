/**
  * An admin's statements keep their plans, as every other caller's do.
  *
  * `aimodels_admin` planned every statement with its values (`plan_cache_mode =
  * force_custom_plan`, 20251218000100) because its read of the usage log had two arms (own
  * rows, or the administered organization's), and a generic plan of the two read an
  * admin's month by date, filtering every organization's rows. Since 20251220000100 an
  * admin reads the log and the holds through one gate, `organization_id = (select
  * private.administered_org_id())`: the generic plan of the month walks the organization's
  * index, as the owner's query does.
  *
  * What planning with the values now cost: when the organization holds a good share of the
  * month, the planner priced the walk of the date index (the log lies in date order) below
  * the organization's index and took it for a page of the admin's rows, reading and
  * filtering out the other organizations' rows of the month and sorting each instant by id.
  * The admin's first page by the table ran 1.32x / 1.35x the owner's at medium / large
  * wide, the only hot read above 1.25x there (BENCHMARKS.md).
  *
  * - `aimodels_admin` takes Postgres's own choice (`auto`), like `authenticated` and
  *   `aimodels_superadmin`: one condition per table for each role, which no generic plan
  *   reads by the wrong index.
  * - The price: where a custom plan beat the owner's generic one, the admin now reads as the
  *   owner. The admin's month at large heavy was a parallel walk of the date index, 0.63x the
  *   owner's; it is now the owner's plan.
  *
  * tests: pgTAP 47 and 41 (each role's plan mode); tests/database/test_api_plans.py (an
  * admin's month read through the API, past the fifth request, walks the organization's
  * index).
  */

alter role aimodels_admin set plan_cache_mode = auto;
