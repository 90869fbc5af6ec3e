"""`aimodels db reset --last/--version`: the Supabase way to roll back, and back again."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from aimodels.stack.local_stack import LocalStack
from tests.stack.support import aimodels

MIGRATIONS = sorted((Path(__file__).resolve().parents[2] / "supabase" / "migrations").glob("*.sql"))


def applied_versions(db_url: str) -> list[str]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "select version from supabase_migrations.schema_migrations order by version"
        ).fetchall()
    return [version for (version,) in rows]


def organization_count(db_url: str) -> int | None:
    with psycopg.connect(db_url) as conn:
        if conn.execute("select to_regclass('public.organizations')").fetchone() == (None,):
            return None
        row = conn.execute("select count(*) from public.organizations").fetchone()
    return None if row is None else int(row[0])


@pytest.fixture
def cli_env(local_stack: LocalStack, tmp_path: Path) -> dict[str, str]:
    """The CLI pointed at the test stack (never the developer's .env)."""
    return {
        "AIMODELS_STACK_DIR": str(local_stack.settings.devstack_dir),
        "AIMODELS_ENV_FILE": str(tmp_path / ".env"),
    }


def test_last_rolls_back_the_newest_migration_and_a_plain_reset_restores_all(
    local_stack: LocalStack, cli_env: dict[str, str]
) -> None:
    every_version = [path.name.split("_", 1)[0] for path in MIGRATIONS]
    db_url = local_stack.info.db_url

    rolled_back = aimodels(["db", "reset", "--last", "1"], cli_env)
    assert rolled_back.returncode == 0, rolled_back.stderr
    assert applied_versions(db_url) == every_version[:-1], "--last 1 must leave out the newest"
    assert "no seed" in rolled_back.stdout, "a rollback loads no seed by default"

    to_version = aimodels(["db", "reset", "--version", every_version[2]], cli_env)
    assert to_version.returncode == 0, to_version.stderr
    assert applied_versions(db_url) == every_version[:3], "--version V stops at V"

    restored = aimodels(["db", "reset"], cli_env)
    assert restored.returncode == 0, restored.stderr
    assert applied_versions(db_url) == every_version, "a plain reset applies every migration"
    assert organization_count(db_url) == 5, "a plain reset loads the seed again"


def test_contradictory_rollback_options_change_nothing(
    local_stack: LocalStack, cli_env: dict[str, str]
) -> None:
    before = applied_versions(local_stack.info.db_url)
    refused = aimodels(["db", "reset", "--last", "1", "--version", "1"], cli_env)
    assert refused.returncode == 2, "bad usage exits 2"
    assert "not both" in refused.stderr
    assert applied_versions(local_stack.info.db_url) == before
