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

# Names of documents outside the repo, and issue numbers of the tracker. Spelled in pieces so
# that this file does not cite them itself.
_DESIGN, _STYLE, _WIRE, _ISSUE = "DESIGN", "STYLE", "wire" + "-spec", "[Ii]ss" + "ues?"
OUTSIDE_REFERENCE = re.compile(
    rf"{_DESIGN}\.md|{_DESIGN} section|{_DESIGN} \d|{_STYLE}\.md|{_WIRE}|\b{_ISSUE} #?\d+"
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
    citations = [
        f"see {_DESIGN}.md",
        f"{_DESIGN} section 5",
        f"{_WIRE} 8",
        "from " + "iss" + "ue 7",
        "Iss" + "ue #12",
    ]
    for line in citations:
        assert OUTSIDE_REFERENCE.search(line), line
    for line in ("docs/rules.md", "an issue with the pool", "design notes"):
        assert not OUTSIDE_REFERENCE.search(line), line
