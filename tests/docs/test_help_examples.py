"""Every `Example:` in every `--help` works as printed: run in the order `aimodels --help`
lists the commands, against the seeded test stack, each must exit 0 (the examples that
create something come before those that use it)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import typer

from aimodels.cli.app import app
from tests.docs.support import REPO, Step, run_steps

AIMODELS = str(Path(sys.executable).parent / "aimodels")

# Examples a test cannot run, each with why; their options are checked against --help.
NOT_RUN = {
    ("gateway",): "serves until interrupted",
    ("gateway", "serve"): "serves until interrupted",
    ("rls", "mutate"): "minutes of throwaway databases; tests/rls runs it",
    ("mail", "serve"): "serves until interrupted",
    ("provider",): "serves until interrupted",
    ("provider", "serve"): "serves until interrupted",
    ("proxy",): "serves until interrupted",
    ("proxy", "serve"): "serves until interrupted",
    ("accept-invite",): "needs an invitation email just sent, and `admin invite` comes later "
    "in help order; tests/onboarding/test_cli.py accepts one from the command line",
}


def _commands(
    command: object, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], object]]:
    yield path, command
    for name, child in getattr(command, "commands", {}).items():
        yield from _commands(child, (*path, name))


def help_examples() -> list[tuple[tuple[str, ...], str]]:
    """(command path, example) for every `Example:` paragraph, in help order."""
    found = []
    for path, command in _commands(typer.main.get_command(app)):
        for paragraph in re.split(r"\n\s*\n", getattr(command, "help", None) or ""):
            text = " ".join(paragraph.split())
            if text.startswith("Example: "):
                found.append((path, text.removeprefix("Example: ")))
    return found


def test_every_command_group_shows_an_example() -> None:
    shown = {path[:1] for path, _ in help_examples()}
    groups = {path for path, c in _commands(typer.main.get_command(app)) if len(path) == 1}
    assert groups - {("verify",), ("quota",)} <= shown


def test_examples_not_run_use_only_options_their_command_has() -> None:
    for path, example in help_examples():
        if path not in NOT_RUN:
            continue
        shown = subprocess.run(
            [AIMODELS, *path, "--help"], capture_output=True, text=True, check=False
        )
        assert shown.returncode == 0, shown.stderr
        for option in re.findall(r"(?<=\s)--[a-z-]+", " " + example):
            assert option in shown.stdout, f"aimodels {' '.join(path)}: no {option}"


def test_every_help_example_runs_as_printed(reader_env: Mapping[str, str]) -> None:
    steps = [Step(command=example) for path, example in help_examples() if path not in NOT_RUN]
    assert len(steps) > 15
    failures = [ran.report() for ran in run_steps(steps, reader_env, cwd=REPO) if ran.problems()]
    assert not failures, "\n\n".join(failures)
