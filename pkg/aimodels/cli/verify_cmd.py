"""`aimodels verify`: the seed document's verification script and our own checks."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from aimodels.cli.stack_cmd import local_stack
from aimodels.stack.verify import CheckStatus, run_checks

console = Console()

_MARKS = {
    CheckStatus.PASS: "[green]pass[/green]",
    CheckStatus.WARN: "[yellow]warn[/yellow]",
    CheckStatus.FAIL: "[red]FAIL[/red]",
}


def verify_command(
    db_url: Annotated[
        str | None, typer.Option(help="Database to check (default: the local stack's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine output.")] = False,
) -> None:
    """Check tables, columns, RLS, policies, sample models and API keys. Exit 1 on a failure.

    Example: aimodels verify --json
    """
    results = run_checks(db_url or local_stack().info.db_url)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in results], indent=2))
    else:
        table = Table("check", "result", "detail")
        for result in results:
            table.add_row(result.name, _MARKS[result.status], result.detail)
        console.print(table)
    if any(result.status is CheckStatus.FAIL for result in results):
        raise typer.Exit(1)
