"""A member's read of the model settings probes the organization index, whatever the table holds.

The read policy once searched an array of readable organizations, whose length the planner
cannot see: it took it for ten, and with a thousand organizations' settings it scanned the
whole table, searching the array for every row, where a member's one organization needs one
index probe (an admin's visible models ran twice the owner's time, BENCHMARKS.md). Here the
table is grown by 500 organizations with two settings each and analyzed, inside a
transaction that is rolled back, and each caller's read is planned as the API plans it.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import psycopg
import pytest

from aimodels.bench.actors import enter_as
from aimodels.bench.plans import explain_json, plan_nodes
from aimodels.stack.state import StackInfo
from tests.database.seeded_actors import seeded_actor

pytestmark = pytest.mark.stack

ACME_ADMIN = "admin@acme-law.example.test"
ACME_USER = "user1@acme-law.example.test"
SUPERADMIN = "superadmin@example.test"
EXTRA_ORGS = 500  # two settings each: about the small bench's 1,025 rows, where it went wrong
SETTINGS_READ = "select * from public.org_system_model_config"

GROW_SETTINGS = """
with orgs as (
  insert into public.organizations (slug, name, type)
  select 'grown-' || g, 'Grown ' || g, (select type from public.organizations limit 1)
  from generate_series(1, %(orgs)s) g
  returning id
)
insert into public.org_system_model_config (organization_id, system_model_id)
select o.id, m.id
from orgs o
cross join (select id from public.ai_models_system order by sort_order, name limit 2) m
"""


def _scans(plan: Mapping[str, object]) -> list[tuple[str, str]]:
    """(node type, relation) of every node of a plan that reads a table."""
    return [
        (str(node["Node Type"]), str(node["Relation Name"]))
        for node in plan_nodes(plan)
        if "Relation Name" in node
    ]


def _read_as(conn: psycopg.Connection, email: str) -> tuple[list[tuple[str, str]], set[UUID]]:
    """The settings read's table scans as the API plans it for a seeded account, and the
    organizations whose settings it returns."""
    actor = seeded_actor(conn, email)
    with conn.transaction(force_rollback=True):
        enter_as(conn, actor)
        plan = explain_json(conn, SETTINGS_READ, {})
        orgs = {
            row[0]
            for row in conn.execute(
                f"select distinct organization_id from ({SETTINGS_READ}) s"
            ).fetchall()
        }
    return _scans(plan), orgs


def test_each_callers_settings_read_probes_the_organization_index(fresh_db: StackInfo) -> None:
    with psycopg.connect(fresh_db.db_url) as conn, conn.transaction(force_rollback=True):
        conn.execute(GROW_SETTINGS, {"orgs": EXTRA_ORGS})
        conn.execute("analyze public.org_system_model_config")
        with_settings = conn.execute(
            "select count(distinct organization_id) from public.org_system_model_config"
        ).fetchone()
        assert with_settings is not None

        acme = seeded_actor(conn, ACME_ADMIN).organization_id
        for member in (ACME_ADMIN, ACME_USER):
            scans, orgs = _read_as(conn, member)
            assert scans and all(
                kind != "Seq Scan" for kind, table in scans if table == "org_system_model_config"
            ), scans
            assert orgs == {acme}

        _, orgs = _read_as(conn, SUPERADMIN)
        assert len(orgs) == with_settings[0] > EXTRA_ORGS
