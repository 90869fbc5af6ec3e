"""The command line's conventions, checked without a stack: one exit-code table used by
help and README, every failure one line on stderr, `--as` before or after the noun,
plain help with examples that name seeded things."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from aimodels.cli.app import app
from aimodels.cli.exits import EXIT_CODES_HELP, EXIT_MEANINGS
from aimodels.cli.group import hoist_as

REPO = Path(__file__).resolve().parents[2]


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    no_api = {"SUPABASE_URL": "", "SUPABASE_ANON_KEY": "", "AIMODELS_AS": ""}
    return CliRunner().invoke(app, list(args), env={**no_api, **(env or {})})


def one_line(result: Result, exit_code: int) -> str:
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def commands(
    command: typer.core.TyperGroup | object, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], object]]:
    yield path, command
    for name, child in getattr(command, "commands", {}).items():
        yield from commands(child, (*path, name))


def all_commands() -> list[tuple[tuple[str, ...], object]]:
    return list(commands(typer.main.get_command(app)))


# -- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "parsed"),
    [
        (["models", "list", "--as", "a@b"], ["--as", "a@b", "models", "list"]),
        (["models", "--as=a@b", "list"], ["--as=a@b", "models", "list"]),
        (["--as", "a@b", "quota"], ["--as", "a@b", "quota"]),
        (["usage", "record", "--", "--as", "x"], ["usage", "record", "--", "--as", "x"]),
    ],
)
def test_as_is_taken_before_or_after_the_noun(given: list[str], parsed: list[str]) -> None:
    assert hoist_as(given) == parsed


def test_missing_as_is_bad_usage_exit_2() -> None:
    line = one_line(invoke("models", "list", env={"SUPABASE_URL": "http://127.0.0.1:9"}), 2)
    assert "--as EMAIL" in line and "AIMODELS_AS" in line


def test_a_noun_alone_shows_its_help_in_full() -> None:
    shown = invoke("db")
    assert shown.exit_code == 2, "no command given"
    assert shown.stdout.startswith("Usage: aimodels db") and "reset" in shown.stdout
    assert "\n" in shown.stdout.strip() and shown.stderr == ""


def test_an_unknown_option_is_one_line_exit_2() -> None:
    assert "No such option: --bogus" in one_line(invoke("db", "reset", "--bogus"), 2)


def test_an_unseeded_email_without_a_terminal_is_sign_in_exit_3() -> None:
    env = {"SUPABASE_URL": "http://127.0.0.1:9", "SUPABASE_ANON_KEY": "anon"}
    line = one_line(invoke("models", "list", "--as", "someone@elsewhere.org", env=env), 3)
    assert "AIMODELS_PASSWORD" in line


def test_a_missing_env_file_is_named(tmp_path: Path) -> None:
    env = {"AIMODELS_ENV_FILE": str(tmp_path / "nope.env")}
    line = one_line(invoke("--as", "user1@acme-law.example.test", "quota", env=env), 2)
    assert "nope.env: file not found" in line


def test_an_unreachable_api_is_one_line_suggesting_stack_up() -> None:
    env = {"SUPABASE_URL": "http://127.0.0.1:9", "SUPABASE_ANON_KEY": "anon"}
    line = one_line(invoke("--as", "user1@acme-law.example.test", "models", "list", env=env), 1)
    assert "aimodels stack up" in line


# -- help ------------------------------------------------------------------------------------


def test_help_is_plain_text_without_type_columns_or_internal_notes() -> None:
    for path, _ in all_commands():
        out = invoke(*path, "--help").stdout
        assert "<bool>" not in out, f"{path}: a flag takes no value"
        assert "╭" not in out, f"{path}: plain help, no boxes"
        assert ".py" not in out, f"{path}: help points at no source file"
    top = invoke("--help").stdout
    assert "sub-app" not in top and "registered here" not in top


def test_every_command_group_documents_the_exit_codes() -> None:
    for path, command in all_commands():
        if getattr(command, "commands", None) is not None:
            out = " ".join(invoke(*path, "--help").stdout.split())
            assert EXIT_CODES_HELP in out, f"aimodels {' '.join(path)} --help"


def test_a_command_that_says_more_about_an_exit_keeps_every_code() -> None:
    out = " ".join(invoke("chat", "--help").stdout.split())
    assert out.count("Exit codes:") == 1
    for code in EXIT_MEANINGS:
        assert f"; {code.value} " in out or f"Exit codes: {code.value} " in out, code
    assert "4 permission denied or model not enabled" in out
    assert "6 model not found" in out


def test_the_readme_exit_code_table_is_the_cli_table() -> None:
    readme = (REPO / "README.md").read_text()
    rows = re.findall(r"^\| (\d) \| ([^|]+) \|$", readme, flags=re.MULTILINE)
    assert {int(code): meaning.strip() for code, meaning in rows} == {
        int(code): meaning for code, meaning in EXIT_MEANINGS.items()
    }


# Commands whose output is itself a format, or that print no result.
NO_JSON = {
    ("gateway", "serve"): "serves until interrupted",
    ("mail", "serve"): "serves until interrupted",
    ("provider", "serve"): "serves until interrupted",
    ("proxy", "serve"): "serves until interrupted",
    ("bench", "markdown"): "prints Markdown, its whole purpose",
    ("bench", "matrix"): "prints Markdown, its whole purpose (the JSON is the reports it reads)",
    ("stack", "up"): "starts processes; `stack status --json` reports them",
    ("stack", "down"): "stops processes",
    ("stack", "env"): "prints KEY=VALUE lines for a shell",
}


def test_every_command_that_prints_a_result_takes_json() -> None:
    for path, command in all_commands():
        if getattr(command, "commands", None) is not None or path in NO_JSON:
            continue
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}  # type: ignore[attr-defined]
        assert "--json" in options, f"aimodels {' '.join(path)} has no --json"
