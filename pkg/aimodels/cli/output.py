"""How the model/usage commands talk back: rich tables for people, JSON for machines,
and one line on stderr plus a documented exit code when something is refused."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, ParamSpec, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from aimodels.client import (
    ApiUnavailable,
    AppError,
    AuthError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
)
from aimodels.domain import explain

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_PERMISSION = 4
EXIT_LIMIT = 5
EXIT_NOT_FOUND = 6

EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 error; 2 bad usage or input; 3 sign-in failed; "
    "4 permission denied; 5 limit, quota or trial refused; 6 not found."
)

# First match wins, so subclasses come before their parents.
_EXIT_BY_ERROR: tuple[tuple[type[AppError], int], ...] = (
    (AuthError, EXIT_AUTH),
    (PermissionDenied, EXIT_PERMISSION),
    (QuotaExceeded, EXIT_LIMIT),
    (NotFound, EXIT_NOT_FOUND),
    (InvalidInput, EXIT_USAGE),
    (ApiUnavailable, EXIT_ERROR),
)


def exit_code_for(error: AppError) -> int:
    return next((code for cls, code in _EXIT_BY_ERROR if isinstance(error, cls)), EXIT_ERROR)


Params = ParamSpec("Params")
Result = TypeVar("Result")


def reports_errors(command: Callable[Params, Result]) -> Callable[Params, Result]:
    """The edge: an AppError becomes one line on stderr and its exit code, nothing else."""

    @functools.wraps(command)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        try:
            return command(*args, **kwargs)
        except AppError as error:
            code = f" [{error.code}]" if error.code else ""
            print(f"error: {error.message}{code}", file=sys.stderr)
            raise typer.Exit(exit_code_for(error)) from error
        except ValidationError as error:
            print(f"error: {explain(error)}", file=sys.stderr)
            raise typer.Exit(EXIT_USAGE) from error

    return run


def print_json(value: BaseModel | Sequence[BaseModel]) -> None:
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    else:
        text = json.dumps([item.model_dump(mode="json") for item in value], indent=2)
    print(text)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(show(cell) for cell in row))
    Console().print(table)


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


def show(value: object) -> str:
    """A cell for people: unlimited for None limits, lists joined."""
    match value:
        case None:
            return "-"
        case bool():
            return "yes" if value else "no"
        case list() | tuple():
            return ", ".join(str(item) for item in value) or "-"
        case _:
            return str(value)
