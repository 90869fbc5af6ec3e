"""`aimodels verify`: the seed document's verification script and our own checks."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from aimodels.cli.options import JsonFlag
from aimodels.cli.output import people_console
from aimodels.cli.stack_cmd import local_stack
from aimodels.stack.verify import CheckStatus, run_checks

_MARKS = {
    CheckStatus.PASS: "[green]pass[/green]",
    CheckStatus.WARN: "[yellow]warn[/yellow]",
    CheckStatus.FAIL: "[red]FAIL[/red]",
}


def verify_command(
    db_url: Annotated[
        str | None, typer.Option(help="Database to check (default: the local stack's).")
    ] = None,
    as_json: JsonFlag = False,
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
        people_console().print(table)
        if any("placeholder" in result.detail for result in results):
            print(
                "Placeholder keys are fine on a local stack (the development provider needs "
                "none). For a real provider, set each key as a superadmin: "
                "aimodels --as superadmin@example.test catalog set-key MODEL --from-env VAR"
            )
    if any(result.status is CheckStatus.FAIL for result in results):
        raise typer.Exit(1)
