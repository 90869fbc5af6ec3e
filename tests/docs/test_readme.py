"""The README works as printed: every command line of its bash blocks runs, in order, against
the seeded test stack and prints what the README shows under it; its Python snippet prints
what its comments say, even right after the command-line walk-through (which used quota)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.docs.support import README, REPO, Step, code_blocks, run_steps, steps_of

# Lines a test cannot run, each with why; each must still be a command that exists.
NOT_RUN = {
    "./scripts/up": "sets up the machine and the developer's own stack",
    "./scripts/test": "runs this very suite",
    ".venv/bin/aimodels rls mutate": "minutes of throwaway databases; tests/rls runs it",
}


def readme_steps() -> list[Step]:
    return [step for block in code_blocks(README.read_text(), "bash") for step in steps_of(block)]


def not_run_reason(step: Step) -> str | None:
    command = step.command.split("#", 1)[0].strip()
    return NOT_RUN.get(command)


@pytest.mark.usefixtures("reader_env")
def test_lines_not_run_still_name_real_commands() -> None:
    skipped = [step for step in readme_steps() if not_run_reason(step)]
    assert {s.command.split("#", 1)[0].strip() for s in skipped} == set(NOT_RUN), (
        "the README and this list of lines left out must agree"
    )
    for step in skipped:
        program = step.command.split()[0]
        assert (REPO / program).exists(), f"{program} does not exist"
        if program.endswith("aimodels"):
            words = step.command.split("#", 1)[0].split()[1:]
            shown = subprocess.run(
                [str(REPO / program), *words, "--help"], capture_output=True, text=True
            )
            assert shown.returncode == 0, shown.stderr


def test_every_readme_command_prints_what_the_readme_shows(
    reader_env: Mapping[str, str], reader_checkout: Path
) -> None:
    steps = [step for step in readme_steps() if not not_run_reason(step)]
    assert len(steps) > 15, "the README's walk-throughs were all found"
    ran = run_steps(steps, reader_env, cwd=reader_checkout)
    failures = [done.report() for done in ran if done.problems()]
    assert not failures, "\n\n".join(failures)


def test_the_python_snippets_print_what_their_comments_say(
    reader_env: Mapping[str, str], reader_checkout: Path
) -> None:
    # Runs after the command-line walk-through above used quota: it must not matter.
    snippets = code_blocks(README.read_text(), "python")
    assert len(snippets) >= 2, "the client snippet and the model access snippet"
    for snippet in snippets:
        expected = [
            match[1].strip()
            for line in snippet.splitlines()
            if (match := re.search(r"^\s*print\(.*#\s*(.+)$", line))
        ]
        assert expected, f"the snippet documents what it prints:\n{snippet}"
        for _ in range(2):  # twice: it does not depend on a fresh reset
            done = subprocess.run(
                [sys.executable, "-c", snippet],
                cwd=reader_checkout,
                env=dict(reader_env),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            assert done.stdout.splitlines() == expected
