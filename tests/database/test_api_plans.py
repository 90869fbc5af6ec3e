"""A signed-in user's statements are planned with their values, every time.

The API prepares what it sends (PostgREST by default; the gateway through psycopg from a
statement's fifth execution on a connection), and after five custom plans Postgres keeps a
prepared statement's generic plan whenever that plan is estimated cheaper. Planned without
its values, a month's range is guessed at 0.5% of the log: an admin's month read then
scanned every organization's rows by date (48-89 ms instead of 1.5-2 ms on the heavy
bench data, BENCHMARKS.md). `authenticated`'s own `plan_cache_mode`, which the API applies
to every request, keeps each plan custom.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from aimodels.bench.actors import enter_as
from aimodels.bench.hot_reads import HOT_READS
from aimodels.stack.state import StackInfo
from tests.database.seeded_actors import seeded_actor

pytestmark = pytest.mark.stack

ADMIN_MONTH = next(
    r for r in HOT_READS if r.name == "admin: org usage by model and user, one month"
).rls_sql
REQUESTS = 12  # past the five custom plans after which Postgres may keep the generic one


def test_an_admins_month_read_through_the_api_is_planned_with_its_values_every_time(
    fresh_db: StackInfo,
) -> None:
    now = datetime.now(UTC)
    month = {"month_start": now - timedelta(days=30), "month_end": now}
    with psycopg.connect(fresh_db.db_url) as conn:
        acme_admin = seeded_actor(conn, "admin@acme-law.example.test")
        for _ in range(REQUESTS):  # one request each, on one pooled connection
            with conn.transaction():
                enter_as(conn, acme_admin)
                conn.execute(ADMIN_MONTH, month, prepare=True).fetchall()
        plans = conn.execute(
            "select generic_plans, custom_plans from pg_prepared_statements"
            " where statement like %s",
            ("%group by u.model_id, u.user_id%",),
        ).fetchall()
    assert plans == [(0, REQUESTS)]
