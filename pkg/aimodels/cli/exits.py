"""The exit codes of every `aimodels` command, in one place: help texts and the README's
table are made from (or checked against) this table."""

from __future__ import annotations

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

EXIT_CODES_HELP = (
    "Exit codes: "
    + "; ".join(f"{code.value} {meaning}" for code, meaning in EXIT_MEANINGS.items())
    + ". A failure prints one line on stderr."
)
