"""`aimodels verify` checks pass on the seeded database, and fail when a rule is broken."""

from __future__ import annotations

import psycopg
import pytest

from aimodels.stack.state import StackInfo
from aimodels.stack.verify import CheckStatus, run_checks

pytestmark = pytest.mark.stack


def test_verify_has_no_failure_on_the_seeded_database(stack: StackInfo) -> None:
    results = run_checks(stack.db_url)
    failures = [r for r in results if r.status is CheckStatus.FAIL]
    assert failures == [], failures
    assert len(results) == 7


def test_verify_warns_about_placeholder_api_keys(stack: StackInfo) -> None:
    keys = next(r for r in run_checks(stack.db_url) if r.name == "model API keys")
    assert keys.status is CheckStatus.WARN
    assert "6 placeholder keys" in keys.detail
    assert "sk-" not in keys.detail, "verify must never print a key"


def test_verify_fails_when_an_exposed_table_lacks_rls(fresh_db: StackInfo) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        conn.execute("create table public.verify_probe (id int primary key)")
        try:
            results = {r.name: r for r in run_checks(fresh_db.db_url)}
        finally:
            conn.execute("drop table public.verify_probe")
    assert results["RLS on exposed tables"].status is CheckStatus.FAIL
    assert "public.verify_probe" in results["RLS on exposed tables"].detail


def test_verify_reports_an_unreachable_database_as_a_failure() -> None:
    results = run_checks("postgresql://postgres:postgres@127.0.0.1:1/postgres")
    assert [r.status for r in results] == [CheckStatus.FAIL]
