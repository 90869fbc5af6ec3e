"""A page of usage rows (own_usage_rows(), org_usage_rows()) is one walk of the caller's
own index from the page's key, stopping at the page's last row or at `until`, whatever the
log's statistics say of the caller.

The page's statement is planned once per connection, without the caller's value: the walk
is its only plan. When it was written as the client's filter (`user_id = me`, a window, by
date), the planner chose by its estimate of the caller's share of the window: a caller with
more rows than a page among many others' got a walk of the date index filtering out
everyone else's rows (48,641 of them for a page of 1,000 on the medium bench data), and a
caller it took for light got every row of their window read and sorted for the first page.
Here the log is grown to a busy window, inside a transaction that is rolled back, both with
the seed's dozen members (each a twelfth of the window) and with the counts of the large
scale (each a sliver), and a seeded user's and admin's first and second pages are planned
as they run.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import psycopg
import pytest

from aimodels.bench.actors import Actor, enter_as
from aimodels.bench.plans import nested_plans, the_plan_reading
from aimodels.stack.state import StackInfo
from tests.database.grown_log import grow_log, midnight
from tests.database.seeded_actors import seeded_actor

pytestmark = pytest.mark.stack

PAGE_ROWS = 1000

# (account, paged function, the column that names the caller's rows)
CALLERS = [
    ("user1@acme-law.example.test", "own_usage_rows", "user_id"),
    ("admin@acme-law.example.test", "org_usage_rows", "organization_id"),
]

_INDEX_SCAN = re.compile(r"Index (?:Only )?Scan using (\w+) on")
# An index scan of the log and the first buffer count under it (its own).
_SCAN_BUFFERS = re.compile(
    r"Index Scan using \w+ on ai_model_usage u .*?Buffers: shared hit=(\d+)", re.DOTALL
)


def _first_page(since: datetime, until: datetime) -> dict[str, object]:
    """The paged functions' arguments for a window's first page."""
    return {
        "since": since,
        "until": until,
        "after_created_at": None,
        "after_id": None,
        "max_rows": PAGE_ROWS,
    }


def _page_plans(
    conn: psycopg.Connection,
    actor: Actor,
    function: str,
    params: dict[str, object],
    *,
    buffers: bool = False,
) -> tuple[list[str], list[tuple[object, ...]]]:
    """The plans of the statements the paged function runs for this caller, and its rows."""
    call = (
        f"select r.id, r.created_at from public.{function}(since => %(since)s,"
        " until => %(until)s, after_created_at => %(after_created_at)s,"
        " after_id => %(after_id)s, max_rows => %(max_rows)s) r"
    )
    with conn.transaction(force_rollback=True):
        plans = nested_plans(conn, lambda c: enter_as(c, actor), call, params, buffers=buffers)
    with conn.transaction(force_rollback=True):
        enter_as(conn, actor)
        rows = conn.execute(call, params).fetchall()
    return plans, rows


def _owner_page(
    conn: psycopg.Connection, column: str, value: object, params: dict[str, object]
) -> list[tuple[object, ...]]:
    """The same page as the owner reads it from the table."""
    return conn.execute(
        f"select u.id, u.created_at from public.ai_model_usage u where u.{column} = %(value)s"
        " and u.created_at >= %(since)s and u.created_at < %(until)s"
        " and (u.created_at, u.id) > (%(after_created_at)s, %(after_id)s)"
        " order by u.created_at, u.id limit %(max_rows)s",
        {
            **params,
            "value": value,
            "after_created_at": params["after_created_at"] or "-infinity",
            "after_id": params["after_id"] or "00000000-0000-0000-0000-000000000000",
        },
    ).fetchall()


@pytest.mark.parametrize("large_scale_counts", [False, True], ids=["seed-counts", "large-counts"])
@pytest.mark.parametrize(("email", "function", "column"), CALLERS, ids=["user", "admin"])
def test_a_page_walks_the_callers_own_index_and_stops(
    fresh_db: StackInfo, email: str, function: str, column: str, large_scale_counts: bool
) -> None:
    until = midnight()
    with psycopg.connect(fresh_db.db_url) as conn, conn.transaction(force_rollback=True):
        index_columns = grow_log(conn, until, large_scale_counts=large_scale_counts)
        actor = seeded_actor(conn, email)
        value = actor.user_id if column == "user_id" else actor.organization_id
        params = _first_page(until - timedelta(days=30), until)
        for page in ("first", "second"):
            plans, rows = _page_plans(conn, actor, function, params)
            plan = the_plan_reading(plans)
            scanned = _INDEX_SCAN.findall(plan)
            assert scanned, plan
            for index in scanned:
                assert index_columns[index][:2] == [column, "created_at"], (page, index, plan)
            # The caller's column is the walk's leading condition (a generic plan: $n).
            assert re.search(rf"Index Cond: \(\({column} = ANY \(ARRAY\[\$\d+\]\)\)", plan), plan
            # Read in the index's order, id included: no sort, not even within an instant.
            assert "Sort" not in plan, (page, plan)
            assert "Bitmap" not in plan, (page, plan)
            assert rows == _owner_page(conn, column, value, params), page
            assert len(rows) == PAGE_ROWS, page  # not vacuous: the caller has more than a page
            params = {**params, "after_created_at": rows[-1][1], "after_id": rows[-1][0]}


@pytest.mark.parametrize(("email", "function", "column"), CALLERS, ids=["user", "admin"])
def test_a_page_stops_at_until_whatever_the_caller_has_after_it(
    fresh_db: StackInfo, email: str, function: str, column: str
) -> None:
    """A page of one hour, 58 days back, that the caller's rows of that hour do not fill:
    the walk ends at `until`, not at the caller's last row. Their rows of the days after
    fill many of the index's leaf pages; the walk reads a page per row at most and the few
    index pages from the root to the hour."""
    until = midnight()
    hour_end = until - timedelta(days=58)
    params = _first_page(hour_end - timedelta(hours=1), hour_end)
    with psycopg.connect(fresh_db.db_url) as conn, conn.transaction(force_rollback=True):
        grow_log(conn, until, large_scale_counts=False)
        actor = seeded_actor(conn, email)
        value = actor.user_id if column == "user_id" else actor.organization_id
        hour, later = conn.execute(
            f"select count(*) filter (where created_at < %(until)s), count(*)"
            f" filter (where created_at >= %(until)s)"
            f" from public.ai_model_usage where {column} = %(value)s"
            " and created_at >= %(since)s",
            {**params, "value": value},
        ).fetchone() or (0, 0)
        # Not vacuous: the page has rows, and the later rows alone fill more than twice the
        # pages allowed below (a leaf holds at most about 250 of this index's entries).
        assert 0 < hour < PAGE_ROWS and later > 2 * (hour + 5) * 250, (hour, later)
        plans, rows = _page_plans(conn, actor, function, params, buffers=True)
    assert len(rows) == hour
    plan = the_plan_reading(plans)
    found = _SCAN_BUFFERS.search(plan)
    assert found, plan
    assert int(found.group(1)) <= hour + 5, plan
