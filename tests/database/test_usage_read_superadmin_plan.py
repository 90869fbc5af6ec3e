"""A superadmin's read of the usage log by date reads that date's index entries, never a
whole index, whatever the log's statistics say.

The read policy's superadmin arm is a date (`created_at > superadmin_usage_since()`) with
companions that are always true and there to make it look narrow to users' and admins'
plans: a range over the whole uuid space. When that range was on `organization_id`, the
organization index (organization_id, created_at) could serve the arm with the range
leading, and once the log was re-analyzed the planner took it: every entry of the index
read to keep a day's (12.9x the owner's time on the medium bench data, BENCHMARKS.md).
Here the log is grown to 60 days and analyzed, inside a transaction that is rolled back,
and a superadmin's day and month are planned as the API plans them.
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

LEADING_COLUMNS = """
select c.relname, a.attname
from pg_index i
join pg_class c on c.oid = i.indexrelid
join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
where i.indrelid = 'public.ai_model_usage'::regclass
"""


def _index_scans(plan: Mapping[str, object]) -> list[tuple[str, str]]:
    """(index, index condition) of every index scan of a plan."""
    return [
        (str(node["Index Name"]), str(node.get("Index Cond", "")))
        for node in plan_nodes(plan)
        if "Index Name" in node
    ]


def _planned_as(
    conn: psycopg.Connection, email: str, window: dict[str, datetime]
) -> tuple[Mapping[str, object], tuple[int, ...] | None]:
    """The window read's plan as the API plans it for a seeded account, and its row count."""
    actor = seeded_actor(conn, email)
    with conn.transaction(force_rollback=True):
        enter_as(conn, actor)
        plan = explain_json(conn, WINDOW_READ, window)
        rows = conn.execute(WINDOW_ROWS, window).fetchone()
    return plan, rows


def test_a_superadmins_read_by_date_never_ranges_over_a_whole_index(
    fresh_db: StackInfo,
) -> None:
    until = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    windows = {
        "day": {"start": until - timedelta(days=1), "end": until},
        "month": {"start": until - timedelta(days=30), "end": until},
    }
    with psycopg.connect(fresh_db.db_url) as conn, conn.transaction(force_rollback=True):
        conn.execute("set local session_replication_role = replica")
        conn.execute(GROW_USAGE, {"until": until, "rows": GROWN_ROWS, "days": GROWN_DAYS})
        conn.execute("set local session_replication_role = origin")
        conn.execute("analyze public.ai_model_usage")
        leading: dict[str, str] = dict(conn.execute(LEADING_COLUMNS).fetchall())

        for name, window in windows.items():
            plan, rows = _planned_as(conn, SUPERADMIN, window)
            scans = _index_scans(plan)
            assert scans, (name, plan)
            for index, condition in scans:
                # An index serves a narrow read only when its leading column is compared
                # with one value or bounded by the read's own window.
                column = leading[index]
                bounded = f"({column} = " in condition or (
                    column == "created_at" and f"({column} >= '" in condition
                )
                assert bounded, (name, index, condition)
            expected = conn.execute(WINDOW_ROWS, window).fetchone()
            assert rows == expected != (0,)
