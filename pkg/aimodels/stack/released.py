"""Released migrations never change: a database that applied one never sees an edit to it.

`supabase/released-migrations.sha256` lists every released migration with its checksum
(`sha256sum` format). A schema change is a new migration; releasing it means adding its
line here (`sha256sum supabase/migrations/<file> >> supabase/released-migrations.sha256`,
run from the repository root).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel

RELEASED_LIST = Path("supabase") / "released-migrations.sha256"


class ReleasedMigrationChange(BaseModel):
    """A released migration whose file no longer matches its recorded checksum."""

    path: str
    problem: str

    def sentence(self) -> str:
        return (
            f"{self.path}: {self.problem}. Released migrations never change: restore it "
            "(git checkout -- it) and put the change in a new migration."
        )


def released_checksums(repo: Path) -> dict[str, str]:
    """The recorded checksum of each released migration, by path relative to `repo`."""
    checksums: dict[str, str] = {}
    for line in (repo / RELEASED_LIST).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, path = line.split(maxsplit=1)
            checksums[path.lstrip("*")] = digest
    return checksums


def changed_released_migrations(repo: Path) -> list[ReleasedMigrationChange]:
    """Every released migration that was edited, renamed or removed since its release."""
    changes = []
    for path, digest in released_checksums(repo).items():
        file = repo / path
        if not file.is_file():
            changes.append(ReleasedMigrationChange(path=path, problem="was removed or renamed"))
        elif hashlib.sha256(file.read_bytes()).hexdigest() != digest:
            changes.append(ReleasedMigrationChange(path=path, problem="was edited"))
    return changes
