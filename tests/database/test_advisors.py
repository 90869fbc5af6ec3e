"""Supabase's advisors (security and performance lints) find nothing but unused indexes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimodels.stack.state import StackInfo
from aimodels.stack.supabase_cli import SupabaseCli

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.stack


def test_advisors_report_no_findings_except_unused_indexes(fresh_db: StackInfo) -> None:
    # Freshly reset: exactly what the migrations and seed make, without other suites'
    # fixtures (the REST conformance schema). Nothing has used an index yet, so
    # unused_index is expected and harmless.
    findings = SupabaseCli(REPO).advisors(fresh_db.db_url, level="info")
    unexpected = [f for f in findings if f.name != "unused_index"]
    assert unexpected == [], "advisor findings:\n" + "\n".join(
        f"{f.level} {f.name}: {f.detail}" for f in unexpected
    )
