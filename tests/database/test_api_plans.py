"""An admin's month read through the API keeps to the organization's rows, whatever plan
Postgres caches for it.

The API prepares what it sends (PostgREST by default; the gateway through psycopg from a
statement's fifth execution on a connection), and after five custom plans Postgres keeps a
prepared statement's generic plan whenever that plan is estimated cheaper. Planned without
its values, a month's range is guessed at 0.5% of the log: when an admin's read of the log
had two arms, the generic plan of the month scanned every organization's rows by date
(48-89 ms instead of 1.5-2 ms on the heavy bench data, BENCHMARKS.md). Since the admin reads
through one gate on the organization, the generic plan walks the organization's index, and
`aimodels_admin` keeps Postgres's own choice (docs/roles-and-rls.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql

from aimodels.bench.actors import enter_as
from aimodels.bench.hot_reads import HOT_READS
from aimodels.stack.state import StackInfo
from tests.database.seeded_actors import seeded_actor

pytestmark = pytest.mark.stack


def _read(name: str) -> str:
    return next(r for r in HOT_READS if r.name == name).rls_sql


# Each admin read of the table, and the name Postgres gives its statement's text.
ADMIN_READS = {
    "month": _read("admin: org usage by model and user, one month"),
    "first page": _read(
        "admin: org usage rows this month, first page (table, by own organization)"
    ),
}
REQUESTS = 12  # past the five custom plans after which Postgres may keep the generic one


def _in_numbering_order(statement: str, params: dict[str, object]) -> list[str]:
    """The names a statement uses, in the order psycopg numbers them ($1, $2, ...): by
    where each first appears in the text."""
    used = [name for name in params if f"%({name})s" in statement]
    return sorted(used, key=lambda name: statement.index(f"%({name})s"))


@pytest.mark.parametrize("read", sorted(ADMIN_READS))
def test_an_admins_cached_read_of_the_month_walks_the_organizations_index(
    fresh_db: StackInfo, read: str
) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(fresh_db.db_url) as conn:
        acme_admin = seeded_actor(conn, "admin@acme-law.example.test")
        params = {
            "organization_id": acme_admin.organization_id,
            "month_start": now - timedelta(days=30),
            "month_end": now,
        }
        for _ in range(REQUESTS):  # one request each, on one pooled connection
            with conn.transaction():
                enter_as(conn, acme_admin)
                conn.execute(ADMIN_READS[read], params, prepare=True).fetchall()
        (name, generic_plans), *others = conn.execute(
            "select name, generic_plans from pg_prepared_statements where statement like %s",
            ("%from public.ai_model_usage u%",),
        ).fetchall()
        assert not others
        # Not vacuous: what is checked below is the plan Postgres keeps for the statement.
        assert generic_plans > 0
        with conn.transaction():
            enter_as(conn, acme_admin)
            plan = "\n".join(
                row[0]
                for row in conn.execute(
                    sql.SQL("explain execute {}({})").format(
                        sql.Identifier(name),
                        sql.SQL(", ").join(
                            sql.Literal(params[key])
                            for key in _in_numbering_order(ADMIN_READS[read], params)
                        ),
                    )
                )
            )
    assert "ai_model_usage_organization_created_id_idx" in plan, plan
    assert "Index Cond: ((organization_id = " in plan, plan
    assert "ai_model_usage_created_at_idx" not in plan, plan
