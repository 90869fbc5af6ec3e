"""How any failure reaches the user: one line on stderr, `error: <what> [<code>]`, and the
exit code of its kind. Every command goes through here (the app's entry point catches what
a command raises), so a traceback or a multi-line usage dump never reaches the terminal."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from aimodels.cli.exits import ExitCode
from aimodels.client import (
    AppError,
    AuthError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
)
from aimodels.domain import explain
from aimodels.stack.process import CommandFailed

# First match wins, so subclasses come before their parents.
_EXIT_BY_ERROR: tuple[tuple[type[AppError], ExitCode], ...] = (
    (AuthError, ExitCode.AUTH),
    (PermissionDenied, ExitCode.PERMISSION),
    (QuotaExceeded, ExitCode.LIMIT),
    (NotFound, ExitCode.NOT_FOUND),
    (InvalidInput, ExitCode.USAGE),
)


def exit_code_for(error: BaseException) -> ExitCode:
    """The documented exit code for an error of this kind (1 for anything unexpected)."""
    if isinstance(error, AppError):
        return next(
            (code for cls, code in _EXIT_BY_ERROR if isinstance(error, cls)), ExitCode.ERROR
        )
    if isinstance(error, ValidationError):
        return ExitCode.USAGE
    if isinstance(error, typer.TyperException):  # typer's usage errors carry exit code 2
        known = {code.value for code in ExitCode}
        return ExitCode(error.exit_code) if error.exit_code in known else ExitCode.ERROR
    return ExitCode.ERROR


def one_line(error: BaseException) -> str:
    """What went wrong, in one line, without the program's internals."""
    match error:
        case AppError():
            code = f" [{error.code}]" if error.code else ""
            text = f"{error.message}{code}"
        case typer.TyperException():
            text = error.format_message()
        case ValidationError():
            text = explain(error)
        case CommandFailed():
            text = command_failure(error)
        case FileNotFoundError() if error.filename:
            text = f"{error.filename}: file not found"
        case _:
            text = str(error) or type(error).__name__
    return "error: " + " ".join(text.split())


def report(error: BaseException) -> ExitCode:
    """Print the one line and say which exit code it deserves."""
    print(one_line(error), file=sys.stderr)
    return exit_code_for(error)


def command_failure(failure: CommandFailed) -> str:
    """The line of a tool's output that says what failed (the Supabase CLI prints it after
    `ERROR:`), with the step it was on, not its whole log or advice about its own flags."""
    lines = [line.strip() for line in (failure.stdout + "\n" + failure.stderr).splitlines()]
    lines = [line for line in lines if line and "--debug" not in line]
    program = failure.command[0].rsplit("/", 1)[-1] if failure.command else "a command"
    error_at = next((i for i, line in enumerate(lines) if line.startswith("ERROR")), None)
    if error_at is None:
        return f"{program} exited {failure.returncode}: {lines[-1] if lines else 'no output'}"
    step = next(
        (line.rstrip(".") for line in reversed(lines[:error_at]) if line.startswith("Applying")),
        None,
    )
    during = f" ({step})" if step else ""
    return f"{program} failed{during}: {lines[error_at].removeprefix('ERROR:').strip()}"
