"""Reads of the usage log by date read that date's index entries, never a whole index or a
whole user's history, whatever the log's statistics say.

The read policy's superadmin arm is a date (`created_at > superadmin_usage_since()`) with
companions that are always true and there to make it look narrow to users' and admins'
plans: a range over the whole uuid space. When that range was on `organization_id`, the
organization index (organization_id, created_at) could serve the arm with the range
leading, and once the log was re-analyzed the planner took it: every entry of the index
read to keep a day's (12.9x the owner's time on the medium bench data, BENCHMARKS.md).
Where the companion range was on `model_id`, a user's read of their own rows by date (the
client's request: their id and a window) let the index (user_id, model_id, created_at)
serve the arm, the range right after the user's id: every entry of the user's whole
history read to find none.
Here the log is grown to 60 days and analyzed, inside a transaction that is rolled back,
and a superadmin's day and month, and a user's own month, are planned as the API plans them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import psycopg
import pytest

from aimodels.bench.actors import enter_as
from aimodels.bench.plans import explain_json, plan_nodes
from aimodels.stack.state import StackInfo
from tests.database.grown_log import grow_log, midnight
from tests.database.seeded_actors import seeded_actor

pytestmark = pytest.mark.stack

SUPERADMIN = "superadmin@example.test"
ADMIN = "admin@acme-law.example.test"
USER = "user1@acme-law.example.test"

WINDOW_READ = """
select u.organization_id, u.model_id, sum(u.tokens_used) as tokens
from public.ai_model_usage u
where u.created_at >= %(start)s and u.created_at < %(end)s
group by u.organization_id, u.model_id"""
WINDOW_ROWS = f"select count(*) from ({WINDOW_READ}) r"

# A user's usage history as the client asks for it (client/usage_rows.py): own id, a window.
OWN_ROWS_READ = """
select u.* from public.ai_model_usage u
where u.user_id = %(user_id)s and u.created_at >= %(start)s and u.created_at < %(end)s
order by u.created_at, u.id"""
OWN_ROWS_COUNT = f"select count(*) from ({OWN_ROWS_READ}) r"


def _index_scans(plan: Mapping[str, object]) -> list[tuple[str, str]]:
    """(index, index condition) of every index scan of a plan."""
    return [
        (str(node["Index Name"]), str(node.get("Index Cond", "")))
        for node in plan_nodes(plan)
        if "Index Name" in node
    ]


def _planned_as(
    conn: psycopg.Connection, email: str, read: str, count: str, params: Mapping[str, object]
) -> tuple[Mapping[str, object], tuple[int, ...] | None]:
    """A read's plan as the API plans it for a seeded account, and its row count."""
    actor = seeded_actor(conn, email)
    with conn.transaction(force_rollback=True):
        enter_as(conn, actor)
        plan = explain_json(conn, read, params)
        rows = conn.execute(count, params).fetchone()
    return plan, rows


def _reads_only_the_window(columns: list[str], condition: str) -> bool:
    """True when an index scan with this condition reads only the window's entries: past
    the columns it compares with one value, the next column is created_at, bounded by the
    read's own window (a literal; the arm's bound is a parameter)."""
    for column in columns:
        if f"({column} = " in condition:
            continue
        return column == "created_at" and "(created_at >= '" in condition
    return True


def test_a_superadmins_read_by_date_never_ranges_over_a_whole_index(
    fresh_db: StackInfo,
) -> None:
    until = midnight()
    windows = {
        "day": {"start": until - timedelta(days=1), "end": until},
        "month": {"start": until - timedelta(days=30), "end": until},
    }
    with psycopg.connect(fresh_db.db_url) as conn, conn.transaction(force_rollback=True):
        index_columns = grow_log(conn, until)
        for name, window in windows.items():
            plan, rows = _planned_as(conn, SUPERADMIN, WINDOW_READ, WINDOW_ROWS, window)
            scans = _index_scans(plan)
            assert scans, (name, plan)
            for index, condition in scans:
                assert _reads_only_the_window(index_columns[index], condition), (
                    name,
                    index,
                    condition,
                )
            expected = conn.execute(WINDOW_ROWS, window).fetchone()
            assert rows == expected != (0,)


@pytest.mark.parametrize("email", [USER, ADMIN])
def test_a_members_read_of_own_rows_by_date_reads_only_the_window(
    fresh_db: StackInfo, email: str
) -> None:
    until = midnight()
    with psycopg.connect(fresh_db.db_url) as conn, conn.transaction(force_rollback=True):
        index_columns = grow_log(conn, until)
        params = {
            "user_id": seeded_actor(conn, email).user_id,
            "start": until - timedelta(days=30),
            "end": until,
        }
        plan, rows = _planned_as(conn, email, OWN_ROWS_READ, OWN_ROWS_COUNT, params)
        scans = _index_scans(plan)
        assert scans, plan
        for index, condition in scans:
            assert _reads_only_the_window(index_columns[index], condition), (index, condition)
        expected = conn.execute(OWN_ROWS_COUNT, params).fetchone()
        assert rows == expected != (0,)
