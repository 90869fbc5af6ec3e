"""usage_report() groups by the report's own keys only, and sorts by no constant.

The query written for each grouping used to group by four columns whatever the grouping,
the ones not reported as nulls, and to sort the result by all seven key and name columns:
every row of the range was compared on four keys and every group carried the nulls through
the aggregate and the sort. The plans of the function's statement, as it runs for a
superadmin (who reads every organization's rows), name each grouping's keys and nothing else.

The function keeps its statements for the session and plans each call for its range: an
admin's calls past the fifth still read their own range's start as a value.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from aimodels.bench.actors import enter_as
from aimodels.bench.plans import nested_plans, the_plan_reading
from aimodels.stack.state import StackInfo
from tests.database.seeded_actors import seeded_actor

pytestmark = pytest.mark.stack

SUPERADMIN = "superadmin@example.test"

_DAY = "((u.created_at AT TIME ZONE 'UTC'::text))::date"
KEYS = {
    "model": ["u.model_id"],
    "user": ["u.user_id"],
    "day": [_DAY],
    "model_user": ["u.model_id", "u.user_id"],
    "org": ["u.organization_id"],
}

_GROUP_KEY = re.compile(r"Group Key: (.+)")
_SORT_KEY = re.compile(r"Sort Key: (.+)")


def _strip_parens(key: str) -> str:
    while key.startswith("(") and key.endswith(")"):
        key = key[1:-1]
    return key


@pytest.mark.parametrize("group_by", sorted(KEYS))
def test_the_report_groups_by_its_own_keys(fresh_db: StackInfo, group_by: str) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        actor = seeded_actor(conn, SUPERADMIN)
        call = "select r.* from public.usage_report(%(group_by)s) r"
        plans = nested_plans(conn, lambda c: enter_as(c, actor), call, {"group_by": group_by})
        with conn.transaction(force_rollback=True):
            enter_as(conn, actor)
            reported = conn.execute(call, {"group_by": group_by}).fetchall()

    plan = the_plan_reading(plans)
    group_keys = _GROUP_KEY.findall(plan)
    assert group_keys, plan
    for line in group_keys:
        assert [_strip_parens(k) for k in line.split(", ")] == [
            _strip_parens(k) for k in KEYS[group_by]
        ], plan
    for line in _SORT_KEY.findall(plan):
        assert "NULL" not in line, plan
    assert reported, group_by  # not vacuous: the seed's log has rows to group


ADMIN = "admin@bright-visas.example.test"
# The range's start in a plan node: a value (a plan for the call) or `$n` (a generic plan).
_RANGE_START = re.compile(r"\(created_at >= ('[^']*'::timestamp with time zone|\$\d+)\)")


def test_the_report_is_planned_for_each_calls_range_past_the_fifth_call(
    stack: StackInfo,
) -> None:
    """plpgsql keeps the report's statements for the session; after five calls Postgres may
    reuse a generic plan, which guesses the range. The function plans every call with its own
    range: the eighth call's plan reads the range's start as a value, not as a parameter."""
    calls = """
select (select count(*) from public.usage_report('user', now() - make_interval(days => n)))
from generate_series(1, 8) n"""
    with psycopg.connect(stack.db_url, autocommit=True) as conn:
        actor = seeded_actor(conn, ADMIN)
        plans = nested_plans(conn, lambda c: enter_as(c, actor), calls, {})

    reading = [plan for plan in plans if "ai_model_usage" in plan]
    assert len(reading) == 8, plans
    starts = [_RANGE_START.findall(plan) for plan in reading]
    assert all(len(found) == 1 for found in starts), reading
    # Each call's own start as a value: eight different ones, the last included.
    assert all(found[0].startswith("'") for found in starts), starts
    assert len({found[0] for found in starts}) == 8, starts
