"""Fuzz suite fixtures: the test stack, a signed-in user, and a checksum of every row.

The suite throws generated requests at the API and then proves three things: no 5xx
beyond the ones PostgREST itself answers with, every error is JSON, and not one row of
the database changed (the generated callers are anonymous, forged, or read-only).
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import requests
from psycopg import sql

from aimodels.stack import keys
from aimodels.stack.state import StackInfo
from tests.gateway_fuzz.support import FuzzTarget

DEV_PASSWORD = "aimodels-dev-password"
# Schemas whose rows must not move: the API's, and the auth tables behind sign-in.
CHECKED_SCHEMAS = ("public", "private", "auth")


def database_checksum(db_url: str) -> dict[str, str]:
    """md5 of every table's rows, ordered, per table (a changed row changes its table's)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        tables = conn.execute(
            "select schemaname, tablename from pg_tables where schemaname = any(%s) order by 1, 2",
            (list(CHECKED_SCHEMAS),),
        ).fetchall()
        sums: dict[str, str] = {}
        for schema, table in tables:
            query = sql.SQL(
                "select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from {}.{} t"
            ).format(sql.Identifier(schema), sql.Identifier(table))
            row = conn.execute(query).fetchone()
            sums[f"{schema}.{table}"] = str(row[0] if row else "")
    return sums


@pytest.fixture(scope="session")
def fuzz_target(stack: StackInfo) -> FuzzTarget:
    url = stack.api_url.rstrip("/")
    response = requests.post(
        f"{url}/auth/v1/token?grant_type=password",
        json={"email": "user1@acme-law.example.test", "password": DEV_PASSWORD},
        headers={"apikey": keys.ANON_KEY},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return FuzzTarget(url=url, user_token=response.json()["access_token"])


@pytest.fixture
def unchanged_rows(stack: StackInfo, fuzz_target: FuzzTarget) -> Iterator[FuzzTarget]:
    """Yields the target; afterwards, every row must be as before and the API still up."""
    before = database_checksum(stack.db_url)
    yield fuzz_target
    after = database_checksum(stack.db_url)
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert not changed, f"fuzzed requests changed rows in {changed}"
    health = requests.get(f"{fuzz_target.url}/health", timeout=10)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
