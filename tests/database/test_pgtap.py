"""The pgTAP suite (supabase/tests/database) passes against a freshly seeded database."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from aimodels.stack.state import StackInfo

REPO = Path(__file__).resolve().parents[2]
PGTAP_DIR = REPO / "supabase" / "tests" / "database"

pytestmark = pytest.mark.stack


def test_pgtap_suite_passes_on_a_fresh_database(fresh_db: StackInfo) -> None:
    pg_prove = shutil.which("pg_prove")
    if pg_prove is None:
        pytest.skip("pg_prove is not installed")
    params = conninfo_to_dict(fresh_db.db_url)
    files = sorted(str(path) for path in PGTAP_DIR.glob("*.sql"))
    assert files, "no pgTAP files found"
    command = [
        pg_prove,
        "-h", str(params.get("host", "127.0.0.1")),
        "-p", str(params.get("port", 5432)),
        "-U", str(params.get("user", "postgres")),
        "-d", str(params.get("dbname", "postgres")),
        *files,
    ]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": str(params.get("password", ""))}
    completed = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=REPO, timeout=600, check=False
    )
    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"pg_prove failed:\n{report}"
    assert "Result: PASS" in report, f"pg_prove did not report a pass:\n{report}"
