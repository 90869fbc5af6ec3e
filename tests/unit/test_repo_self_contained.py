"""The repository is self-contained: nothing in it cites a document it does not hold.

The contract lives in docs/. The released migrations are the one exception: they never
change, so they keep the comments they were released with (docs/README.md maps them).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from aimodels.stack.released import released_checksums

REPO = Path(__file__).resolve().parents[2]

# Names of documents outside the repo, and issue numbers of the tracker.
OUTSIDE_REFERENCE = re.compile(
    r"DESIGN\.md|DESIGN section|DESIGN \d|STYLE\.md|wire-spec|\b[Ii]ssues? #?\d+"
)


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [REPO / name.decode() for name in listed if name]


def test_nothing_cites_a_document_outside_the_repo() -> None:
    exempt = {REPO / path for path in released_checksums(REPO)} | {Path(__file__).resolve()}
    citations = []
    for path in tracked_text_files():
        if path in exempt or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE_REFERENCE.search(line):
                citations.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:100]}")
    assert not citations, "cite docs/ instead:\n" + "\n".join(citations)


def test_the_pattern_catches_each_kind_of_citation() -> None:
    for line in ("see DESIGN.md", "DESIGN section 5", "wire-spec 8", "from issue 7", "Issue #12"):
        assert OUTSIDE_REFERENCE.search(line), line
    for line in ("docs/rules.md", "an issue with the pool", "design notes"):
        assert not OUTSIDE_REFERENCE.search(line), line
