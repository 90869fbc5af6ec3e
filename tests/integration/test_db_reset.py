"""`aimodels db reset`: rolling back really removes the newest migrations' objects; a bad
--version or --last is one line on stderr, exit 2, and the database untouched; a failing
migration is named in one line."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from aimodels.stack.local_stack import LocalStack
from tests.integration.support import REPO, Cli

MIGRATION_FILES = sorted((REPO / "supabase" / "migrations").glob("*.sql"))
MIGRATIONS = [path.stem for path in MIGRATION_FILES]
VERSIONS = [name.split("_", 1)[0] for name in MIGRATIONS]
# `--last` may roll back all but one migration.
MOST = len(MIGRATIONS) - 1
ALLOWED = f"give 1 .. {MOST}"

_CREATED = re.compile(
    r"^\s*create\s+(?:or\s+replace\s+)?(table|function)\s+(?:if\s+not\s+exists\s+)?"
    r"([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)",
    re.IGNORECASE | re.MULTILINE,
)


# An index takes its table's schema: `create index name on schema.table`.
_CREATED_INDEX = re.compile(
    r"^\s*create\s+(?:unique\s+)?index\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)\s+on\s+"
    r"(?:only\s+)?([a-z_][a-z0-9_]*)\.",
    re.IGNORECASE | re.MULTILINE,
)


def created_objects(sql_file: Path) -> set[str]:
    """The relations (tables and indexes, `schema.name`) and functions (`schema.name()`) a
    migration creates."""
    text = sql_file.read_text()
    return {
        name.lower() + ("()" if kind.lower() == "function" else "")
        for kind, name in _CREATED.findall(text)
    } | {f"{schema}.{index}".lower() for index, schema in _CREATED_INDEX.findall(text)}


def newest_own_objects() -> tuple[int, set[str]]:
    """The newest migration that creates objects of its own (some only alter older ones):
    how many migrations back it is (1 = the newest), and those objects, which rolling back
    that many must remove."""
    for back in range(1, len(MIGRATION_FILES)):
        index = len(MIGRATION_FILES) - back
        older = set().union(*(created_objects(path) for path in MIGRATION_FILES[:index]))
        own = created_objects(MIGRATION_FILES[index]) - older
        if own:
            return back, own
    raise AssertionError("no migration creates objects of its own")


def applied_versions(db_url: str) -> list[str]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "select version from supabase_migrations.schema_migrations order by version"
        ).fetchall()
    return [version for (version,) in rows]


def exists(db_url: str, regclass_or_function: str) -> bool:
    """A relation (to_regclass) or a function by name (to_regproc) exists."""
    lookup = "to_regproc" if regclass_or_function.endswith("()") else "to_regclass"
    name = regclass_or_function.removesuffix("()")
    with psycopg.connect(db_url) as conn:
        row = conn.execute(f"select {lookup}(%s) is not null", (name,)).fetchone()
    return bool(row and row[0])


def seeded_organizations(db_url: str) -> int:
    with psycopg.connect(db_url) as conn:
        row = conn.execute("select count(*) from public.organizations").fetchone()
    return int(row[0]) if row else 0


@pytest.fixture(scope="module")
def seeded(local_stack: LocalStack) -> Iterator[str]:
    """The test stack freshly reset (every migration and the seed), reset again after the
    module; a test that rolls back restores it with `restore`."""
    local_stack.reset()
    yield local_stack.info.db_url
    local_stack.reset()


@pytest.fixture
def restore(local_stack: LocalStack, seeded: str) -> Iterator[str]:
    yield seeded
    local_stack.reset()


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, f"a failure is one line on stderr, got: {stderr!r}"
    assert lines[0].startswith("error: ")
    assert "--debug" not in lines[0], "aimodels takes no --debug: never suggest it"
    return lines[0]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--version", "abc"), "no such migration"),
        (("--version", "20251125000100"), "no such migration"),
        (("--last", "-1"), ALLOWED),
        (("--last", "0"), ALLOWED),
        (("--last", str(MOST + 80)), ALLOWED),
        (("--last", str(MOST + 1)), ALLOWED),
        (("--last", "1", "--version", VERSIONS[0]), "not both"),
        (("--last", "x"), "valid integer"),
    ],
)
def test_bad_rollback_input_exits_2_and_changes_nothing(
    seeded: str, cli_on_test_stack: Cli, args: tuple[str, ...], says: str
) -> None:
    refused = cli_on_test_stack("db", "reset", *args)
    assert refused.returncode == 2, refused.stderr
    assert says in one_error_line(refused.stderr)
    assert applied_versions(seeded) == VERSIONS, "a refused reset changes no migration"
    assert seeded_organizations(seeded) == 5, "a refused reset keeps the data"


def test_last_n_removes_the_newest_migrations_objects(restore: str, cli_on_test_stack: Cli) -> None:
    seeded = restore
    # e.g. onboarding's public.invitations and public.invite_member(), or a lone function
    back, newest = newest_own_objects()
    assert [name for name in sorted(newest) if not exists(seeded, name)] == []
    done = cli_on_test_stack("db", "reset", "--last", str(back))
    assert done.returncode == 0, done.stderr
    assert applied_versions(seeded) == VERSIONS[:-back]
    assert [name for name in sorted(newest) if exists(seeded, name)] == [], "rolled back: gone"
    assert exists(seeded, "public.record_usage()"), "older migrations stay"
    applied = f"{len(MIGRATIONS) - back} of {len(MIGRATIONS)} migrations applied"
    assert applied in done.stdout and "no seed" in done.stdout


def test_version_stops_at_that_migration(restore: str, cli_on_test_stack: Cli) -> None:
    seeded = restore
    done = cli_on_test_stack("db", "reset", "--version", VERSIONS[2], "--json")
    assert done.returncode == 0, done.stderr
    assert applied_versions(seeded) == VERSIONS[:3]
    assert not exists(seeded, "public.record_usage()"), "the RPC migration is rolled back"
    assert exists(seeded, "public.ai_models_system")


@pytest.mark.usefixtures("restore")
def test_a_failing_migration_is_named_in_one_line(cli_on_test_stack: Cli, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPO / "supabase", project / "supabase")
    (project / "node_modules").symlink_to(REPO / "node_modules")
    broken = project / "supabase" / "migrations" / "20990101000000_broken.sql"
    broken.write_text("create table public.broken (id int references public.nowhere (id));\n")

    failed = cli_on_test_stack("db", "reset", cwd=project)
    assert failed.returncode == 1, failed.stderr
    line = one_error_line(failed.stderr)
    assert "20990101000000_broken.sql" in line and "nowhere" in line, line
    assert "aimodels db reset" in line, "it says how to get back"
    assert failed.stdout == ""
