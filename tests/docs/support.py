"""Running documented command lines as a reader would, and checking what they print.

A documented result is a comment line under a command: `# <what it prints>`, where `...`
stands for anything and a trailing `(exit N)` is the exit code it ends with (else 0).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_EXIT = re.compile(r"\s*\(exit (\d+)\)$")


@dataclass
class Step:
    """One command line and what the documentation says it prints."""

    command: str
    expected: list[str] = field(default_factory=list)
    exit_code: int = 0


@dataclass
class Ran:
    step: Step
    exit_code: int
    stdout: str
    stderr: str

    def problems(self) -> list[str]:
        found = []
        if self.exit_code != self.step.exit_code:
            found.append(f"exit {self.exit_code}, documented {self.step.exit_code}")
        printed = [" ".join(line.split()) for line in (self.stdout + self.stderr).splitlines()]
        for expected in self.step.expected:
            if not any(_pattern(expected).fullmatch(line) for line in printed):
                found.append(f"no line printed like: {expected}")
        return found

    def report(self) -> str:
        return (
            f"$ {self.step.command}\n  "
            + "\n  ".join(self.problems())
            + f"\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


def code_blocks(text: str, language: str) -> list[str]:
    """The bodies of the fenced blocks in `language`, in order."""
    return [body for lang, body in _FENCE.findall(text) if lang == language]


def steps_of(block: str) -> list[Step]:
    """Each command line of a shell block with the result lines under it."""
    steps: list[Step] = []
    for line in block.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            if steps:
                result = line.removeprefix("#").strip()
                exit_code = _EXIT.search(result)
                if exit_code:
                    steps[-1].exit_code = int(exit_code[1])
                    result = result[: exit_code.start()]
                steps[-1].expected.append(result)
            continue
        steps.append(Step(command=line))
    return steps


def _pattern(expected: str) -> re.Pattern[str]:
    parts = [re.escape(" ".join(part.split())) for part in expected.split("...")]
    return re.compile(".*".join(parts))


_MARK = "@@aimodels-docs-step@@"


def run_steps(steps: Sequence[Step], env: Mapping[str, str], cwd: Path = REPO) -> list[Ran]:
    """Run the steps in order in ONE bash, as a reader pastes them (variables and exports
    carry over), and split what each printed and its exit code."""
    script = []
    for step in steps:
        script += [f"echo {_MARK}", f"echo {_MARK} >&2", step.command, f"echo {_MARK}$?"]
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    outs = done.stdout.split(_MARK + "\n")[1:]
    errs = done.stderr.split(_MARK + "\n")[1:]
    results = []
    for step, out, err in zip(steps, outs, errs, strict=True):
        printed, _, code = out.rpartition(_MARK)
        results.append(Ran(step, int(code.strip() or -1), printed, err))
    return results
