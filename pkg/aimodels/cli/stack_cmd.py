"""`aimodels stack ...`: start, stop and inspect the local Supabase stack."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from aimodels.stack.docker_stack import DockerStack
from aimodels.stack.envfile import env_lines
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import Backend, StackSettings

stack_app = typer.Typer(
    help="The local stack: Postgres 15, the Supabase CLI's migrations and seed, the API.\n\n"
    "Example: aimodels stack up && aimodels stack status",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)


def local_stack() -> LocalStack:
    return LocalStack(StackSettings.for_project())


@stack_app.command("up")
def up(
    backend: Annotated[
        Backend, typer.Option(help="local: no Docker needed; docker: `supabase start`.")
    ] = Backend.LOCAL,
    reset: Annotated[bool, typer.Option(help="Reset the database even if it exists.")] = False,
) -> None:
    """Create and start whatever is missing, then write .env. Safe to run again."""
    settings = StackSettings.for_project()
    with console.status("Starting the stack..."):
        info = (
            DockerStack(settings).up(reset=reset)
            if backend is Backend.DOCKER
            else LocalStack(settings).up(reset=reset)
        )
    console.print(f"[green]Stack is up[/green]: API {info.api_url}, wrote {settings.env_file}")


@stack_app.command("down")
def down(
    destroy: Annotated[
        bool, typer.Option(help="Also delete the local cluster's data (next up starts fresh).")
    ] = False,
) -> None:
    """Stop the API gateway and Postgres (and free their ports)."""
    stack = local_stack()
    if destroy:
        stack.destroy()
    else:
        stack.down()
    console.print("Stack stopped.")


@stack_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine output.")] = False,
) -> None:
    """Show each component and where it listens. Exit 1 when something is not running."""
    report = local_stack().status()
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), indent=2))
    else:
        table = Table("component", "running", "where")
        for component in report.components:
            mark = "[green]yes[/green]" if component.running else "[red]no[/red]"
            table.add_row(component.name, mark, component.detail)
        console.print(table)
    if not report.running:
        raise typer.Exit(1)


@stack_app.command("env")
def env() -> None:
    """Print KEY=VALUE lines (SUPABASE_URL, keys, SUPABASE_DB_URL) for a shell or .env."""
    stack = local_stack()
    for line in env_lines(stack.info):
        typer.echo(line)
