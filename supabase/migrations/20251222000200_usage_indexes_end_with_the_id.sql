/**
  * The usage log's indexes by user and by organization end with the row's id, so that a
  * page of usage rows, ordered by (created_at, id), is read in the index's order and stops
  * at its last row.
  *
  * A page (the client's usage rows, own_usage_rows(), org_usage_rows()) is ordered by
  * (created_at, id): id breaks ties between rows of one instant, and the next page starts
  * after the last row's pair. The indexes held (user_id, created_at) and (organization_id,
  * created_at), so the planner read the window's rows and sorted them by id within each
  * instant: all of them for a plain query (a top-N sort of the user's whole period: 10,919
  * rows for a page of 1,000 at the large bench scale), or the page's instants one by one
  * for the paged functions (an incremental sort). Under row level security the plain
  * query paid more than the owner for every row it read: the policy's test on the user,
  * which the client's own filter on the user makes a one-time test, is a node that passes
  * each row on (1.38x the owner's query at large, BENCHMARKS.md).
  *
  * With the id as the indexes' last column, the order is the index's: a page reads its
  * rows and stops, whether the owner or a signed-in caller reads it. Every other use of
  * the two indexes (the read policies' arms, an organization's month, the paged
  * functions' walk) reads them by their leading columns, as before.
  *
  * The new indexes are built before the old ones are dropped, so no read is left without
  * one while the migration runs.
  *
  * tests: pgTAP 01 (the indexes' columns); tests/database/test_usage_page_plan.py (a page
  * walks its caller's index with no sort).
  */

create index ai_model_usage_user_created_id_idx
  on public.ai_model_usage (user_id, created_at, id);
drop index public.ai_model_usage_user_created_idx;

create index ai_model_usage_organization_created_id_idx
  on public.ai_model_usage (organization_id, created_at, id);
drop index public.ai_model_usage_organization_created_idx;
