"""Released migrations never change: the check fails the test run and says what to do."""

from __future__ import annotations

import shutil
from pathlib import Path

from aimodels.stack.released import (
    RELEASED_LIST,
    changed_released_migrations,
    released_checksums,
)

REPO = Path(__file__).resolve().parents[2]


def test_no_released_migration_changed() -> None:
    changes = changed_released_migrations(REPO)
    assert not changes, "\n".join(change.sentence() for change in changes)


def test_every_released_migration_is_listed_and_exists() -> None:
    listed = released_checksums(REPO)
    assert len(listed) >= 8, "the eight v1 migrations are released"
    on_disk = {
        f"supabase/migrations/{p.name}" for p in (REPO / "supabase/migrations").glob("*.sql")
    }
    assert set(listed) <= on_disk, "every released migration is still on disk"


def test_an_edited_or_removed_release_is_reported_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "supabase").mkdir()
    shutil.copytree(REPO / "supabase" / "migrations", tmp_path / "supabase" / "migrations")
    shutil.copy(REPO / RELEASED_LIST, tmp_path / RELEASED_LIST)
    released = sorted(released_checksums(REPO))
    edited, removed = tmp_path / released[0], tmp_path / released[-1]
    edited.write_text(edited.read_text() + "\n-- a late fix\n")
    removed.unlink()

    changes = changed_released_migrations(tmp_path)

    assert [(c.path, c.problem) for c in changes] == [
        (released[0], "was edited"),
        (released[-1], "was removed or renamed"),
    ]
    assert "put the change in a new migration" in changes[0].sentence()
