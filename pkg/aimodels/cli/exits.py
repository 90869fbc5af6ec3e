"""The exit codes of every `aimodels` command, in one place: help texts and the README's
table are made from (or checked against) this table."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    AUTH = 3
    PERMISSION = 4
    LIMIT = 5
    NOT_FOUND = 6


EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "ok",
    ExitCode.ERROR: "error (anything not listed below)",
    ExitCode.USAGE: "bad usage or input",
    ExitCode.AUTH: "sign-in failed",
    ExitCode.PERMISSION: "permission denied",
    ExitCode.LIMIT: "limit, quota or trial refused",
    ExitCode.NOT_FOUND: "not found",
}


def exit_codes_help(meanings: Mapping[ExitCode, str] | None = None) -> str:
    """The exit code paragraph of a help text; `meanings` says more for one command (what
    "not found" means for it), never changes a code."""
    said = {**EXIT_MEANINGS, **(meanings or {})}
    return (
        "Exit codes: "
        + "; ".join(f"{code.value} {meaning}" for code, meaning in said.items())
        + ". A failure prints one line on stderr."
    )


EXIT_CODES_HELP = exit_codes_help()
