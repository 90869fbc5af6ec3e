"""How commands talk back: rich tables for people, JSON for machines, one date format.

Failures go through `aimodels.cli.failures` (one line on stderr, a documented exit code);
the names below that re-export it keep older commands working unchanged.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from aimodels.cli.exits import EXIT_CODES_HELP, ExitCode
from aimodels.cli.failures import exit_code_for, report
from aimodels.cli.options import JsonFlag, OutputFile

__all__ = [
    "EXIT_AUTH",
    "EXIT_CODES_HELP",
    "EXIT_ERROR",
    "EXIT_LIMIT",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_PERMISSION",
    "EXIT_USAGE",
    "Columns",
    "JsonFlag",
    "OutputFile",
    "exit_code_for",
    "people_console",
    "print_fields",
    "print_json",
    "print_rows",
    "print_table",
    "reports_errors",
    "show",
    "show_time",
]

EXIT_OK = ExitCode.OK
EXIT_ERROR = ExitCode.ERROR
EXIT_USAGE = ExitCode.USAGE
EXIT_AUTH = ExitCode.AUTH
EXIT_PERMISSION = ExitCode.PERMISSION
EXIT_LIMIT = ExitCode.LIMIT
EXIT_NOT_FOUND = ExitCode.NOT_FOUND

# Wide enough that no cell is cut when stdout is a pipe or a file (rich assumes 80 then).
_UNBOUNDED_WIDTH = 10_000

Params = ParamSpec("Params")
Result = TypeVar("Result")


def reports_errors(command: Callable[Params, Result]) -> Callable[Params, Result]:
    """One line on stderr and its exit code for whatever the command raises.

    The app's root group does the same for every command; this keeps a sub-app run on
    its own (as some tests do) behaving alike.
    """

    @functools.wraps(command)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as error:
            raise typer.Exit(report(error)) from error

    return run


def people_console() -> Console:
    """A console for tables: the terminal's width on a terminal, never cut otherwise."""
    return Console(width=None if sys.stdout.isatty() else _UNBOUNDED_WIDTH)


def print_json(value: BaseModel | Sequence[BaseModel]) -> None:
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    else:
        text = json.dumps([item.model_dump(mode="json") for item in value], indent=2)
    print(text)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(show(cell) for cell in row))
    people_console().print(table)


Item = TypeVar("Item")
Columns = tuple[tuple[str, Callable[[Item], object]], ...]
"""A table for people: (header, how to get the cell from one item) per column."""


def print_rows(title: str, columns: Columns[Item], items: Sequence[Item]) -> None:
    print_table(
        title,
        [header for header, _ in columns],
        [[cell(item) for _, cell in columns] for item in items],
    )


def print_fields(title: str, fields: Sequence[tuple[str, object]]) -> None:
    """One record as a two-column table."""
    print_table(title, ("field", "value"), [(name, value) for name, value in fields])


def show_time(moment: datetime) -> str:
    """The one date format people see: `2026-12-07 00:00 UTC`."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    return f"{utc:%Y-%m-%d %H:%M} UTC"


def show(value: object) -> str:
    """A cell for people: '-' for nothing, yes/no, lists joined, times in UTC."""
    match value:
        case None:
            return "-"
        case bool():
            return "yes" if value else "no"
        case datetime():
            return show_time(value)
        case list() | tuple():
            return ", ".join(str(item) for item in value) or "-"
        case _:
            return str(value)
