"""The pgTAP suite (supabase/tests/database) passes against a freshly seeded database."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackInfo

REPO = Path(__file__).resolve().parents[2]
PGTAP_DIR = REPO / "supabase" / "tests" / "database"

# One pytest case per file, so a failure names its topic. Each file runs in a transaction it
# rolls back, so one reset serves them all.
PGTAP_FILES = sorted(PGTAP_DIR.glob("*.sql"))


def test_pgtap_files_exist() -> None:
    assert len(PGTAP_FILES) >= 16, f"expected the pgTAP suite in {PGTAP_DIR}"


@pytest.fixture(scope="module")
def seeded_db(local_stack: LocalStack) -> StackInfo:
    local_stack.reset()
    return local_stack.info


@pytest.fixture(scope="module")
def pg_prove() -> str:
    """pg_prove must be installed (./scripts/setup does it): a missing tool fails the suite."""
    found = shutil.which("pg_prove")
    if found is None:
        pytest.fail(
            "pg_prove is not installed: run ./scripts/setup (Debian package "
            "libtap-parser-sourcehandler-pgtap-perl)"
        )
    return found


@pytest.mark.parametrize("pgtap_file", PGTAP_FILES, ids=lambda path: path.stem)
def test_pgtap_file_passes(pgtap_file: Path, pg_prove: str, seeded_db: StackInfo) -> None:
    params = conninfo_to_dict(seeded_db.db_url)
    command = [
        pg_prove,
        "-h", str(params.get("host", "127.0.0.1")),
        "-p", str(params.get("port", 5432)),
        "-U", str(params.get("user", "postgres")),
        "-d", str(params.get("dbname", "postgres")),
        str(pgtap_file),
    ]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": str(params.get("password", ""))}
    completed = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=REPO, timeout=600, check=False
    )
    report = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"pg_prove failed on {pgtap_file.name}:\n{report}"
    assert "Result: PASS" in report, f"pg_prove did not report a pass:\n{report}"
