"""usage_report() groups by the report's own keys only, and sorts by no constant.

The query written for each grouping used to group by four columns whatever the grouping,
the ones not reported as nulls, and to sort the result by all seven key and name columns:
every row of the range was compared on four keys and every group carried the nulls through
the aggregate and the sort. The plans of the function's statement, as it runs for a
superadmin (who reads every organization's rows), name each grouping's keys and nothing else.
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
