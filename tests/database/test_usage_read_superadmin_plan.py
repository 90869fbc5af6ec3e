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
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from aimodels.bench.actors import enter_as
from aimodels.bench.plans import explain_json, plan_nodes
from aimodels.stack.state import StackInfo
from tests.database.seeded_actors import seeded_actor

pytestmark = pytest.mark.stack

SUPERADMIN = "superadmin@example.test"
ADMIN = "admin@acme-law.example.test"
USER = "user1@acme-law.example.test"
GROWN_ROWS = 100_000
GROWN_DAYS = 60

# Every member's rows, spread evenly over the days before `until`. Written as the owner
# with triggers off (the bench loader's way): admission is not what is tested here.
GROW_USAGE = """
with members as (
  select array_agg(id order by id) as ids, array_agg(organization_id order by id) as orgs
  from public.profiles where organization_id is not null
), models as (
  select array_agg(id order by id) as ids, array_agg(name order by id) as names
  from public.ai_models_system
)
insert into public.ai_model_usage (
  user_id, organization_id, model_id, model_name, tokens_used,
  period_start, period_end, period_type, created_at)
select
  m.ids[1 + g %% cardinality(m.ids)], m.orgs[1 + g %% cardinality(m.ids)],
  s.ids[1 + g %% cardinality(s.ids)], s.names[1 + g %% cardinality(s.ids)], 100,
  %(until)s - make_interval(days => %(days)s), %(until)s, 'monthly',
  %(until)s - g * make_interval(days => %(days)s) / %(rows)s - interval '1 second'
from members m, models s, generate_series(1, %(rows)s) g
"""

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

# The seed has a dozen members; at scale a caller's id is one of 100,000, and the planner
# prices a policy's comparison with it by that count.
LARGE_SCALE_COUNTS = """
alter table public.ai_model_usage
  alter column user_id set (n_distinct = 100000),
  alter column organization_id set (n_distinct = 10000)
"""

INDEX_COLUMNS = """
select c.relname, array_agg(a.attname order by k.ord)
from pg_index i
join pg_class c on c.oid = i.indexrelid
cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
where i.indrelid = 'public.ai_model_usage'::regclass
group by c.relname
"""


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


def _grown_log(conn: psycopg.Connection, until: datetime) -> dict[str, list[str]]:
    """Grow the log inside the caller's transaction and analyze it, counting users and
    organizations as at the bench's large scale; the log's index columns."""
    conn.execute("set local session_replication_role = replica")
    conn.execute(GROW_USAGE, {"until": until, "rows": GROWN_ROWS, "days": GROWN_DAYS})
    conn.execute("set local session_replication_role = origin")
    conn.execute(LARGE_SCALE_COUNTS)
    conn.execute("analyze public.ai_model_usage")
    return dict(conn.execute(INDEX_COLUMNS).fetchall())


def _midnight() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def test_a_superadmins_read_by_date_never_ranges_over_a_whole_index(
    fresh_db: StackInfo,
) -> None:
    until = _midnight()
    windows = {
        "day": {"start": until - timedelta(days=1), "end": until},
        "month": {"start": until - timedelta(days=30), "end": until},
    }
    with psycopg.connect(fresh_db.db_url) as conn, conn.transaction(force_rollback=True):
        index_columns = _grown_log(conn, until)
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
    until = _midnight()
    with psycopg.connect(fresh_db.db_url) as conn, conn.transaction(force_rollback=True):
        index_columns = _grown_log(conn, until)
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
