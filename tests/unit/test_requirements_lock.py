"""requirements.lock pins every dependency pyproject.toml names (runtime and dev tools): a
dependency added without re-running ./scripts/lock fails here, not on a fresh machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    """The normalized distribution name of a requirement string."""
    raw = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", raw).lower()


def test_every_declared_dependency_is_pinned_with_hashes() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"]}
    declared |= {_name(r) for r in project["optional-dependencies"]["dev"]}
    lock = (REPO / "requirements.lock").read_text()
    pinned = {_name(m[1]) for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock, re.M)}
    missing = declared - pinned
    assert not missing, f"not in requirements.lock: {sorted(missing)}: run ./scripts/lock"
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 1)[1]):
        assert "--hash=sha256:" in block, f"no hash for {block.splitlines()[0]}"
