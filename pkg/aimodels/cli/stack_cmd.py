"""`aimodels stack ...`: start, stop and inspect the local Supabase stack.

Every failure is one line on stderr: exit 2 when run outside the project, 1 otherwise.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, NoReturn, ParamSpec, TypeVar

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from aimodels.stack.docker_stack import DockerStack
from aimodels.stack.envfile import env_lines
from aimodels.stack.errors import ProjectNotFound, StackError
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import Backend, StackSettings

stack_app = typer.Typer(
    help="The local stack: Postgres 15, the Supabase CLI's migrations and seed, the API.\n\n"
    "Example: aimodels stack up && aimodels stack status\n\n"
    "Exit codes: 0 ok; 1 not running or failed; 2 run outside the project.",
    no_args_is_help=True,
)
console = Console()

EXIT_FAILED = 1
EXIT_USAGE = 2

Params = ParamSpec("Params")
Result = TypeVar("Result")


def reports_stack_errors(command: Callable[Params, Result]) -> Callable[Params, Result]:
    """The edge: a StackError becomes one line on stderr and its exit code, nothing else."""

    @functools.wraps(command)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        try:
            return command(*args, **kwargs)
        except StackError as error:
            code = EXIT_USAGE if isinstance(error, ProjectNotFound) else EXIT_FAILED
            fail(error.one_line(), code)
        except psycopg.Error as error:
            first = next((line for line in str(error).splitlines() if line.strip()), "")
            fail(f"Postgres refused: {first.strip() or type(error).__name__}")

    return run


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code)


def local_stack() -> LocalStack:
    return LocalStack(StackSettings.for_project())


@stack_app.command("up")
@reports_stack_errors
def up(
    backend: Annotated[
        Backend, typer.Option(help="local: no Docker needed; docker: `supabase start`.")
    ] = Backend.LOCAL,
    reset: Annotated[bool, typer.Option(help="Reset the database even if it exists.")] = False,
) -> None:
    """Create and start whatever is missing (or replace a dead gateway), then write .env.

    Safe to run again. If a port is taken meanwhile, the server moves to a free one and .env
    says where.
    """
    settings = StackSettings.for_project()
    with console.status("Starting the stack..."):
        info = (
            DockerStack(settings).up(reset=reset)
            if backend is Backend.DOCKER
            else LocalStack(settings).up(reset=reset)
        )
    console.print(f"[green]Stack is up[/green]: API {info.api_url}, wrote {settings.env_file}")


@stack_app.command("down")
@reports_stack_errors
def down(
    destroy: Annotated[
        bool, typer.Option(help="Also delete the local cluster's data (next up starts fresh).")
    ] = False,
) -> None:
    """Stop the API gateway (and its supervisor) and Postgres, freeing their ports."""
    stack = local_stack()
    if destroy:
        stack.destroy()
    else:
        stack.down()
    console.print("Stack stopped.")


@stack_app.command("status")
@reports_stack_errors
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine output.")] = False,
) -> None:
    """Show each component and where it listens. Exit 1, saying why, when one is not serving.

    The gateway counts as serving only when it listens on its port and its /health answers.
    """
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
        fail("; ".join(report.problems) + ": run `aimodels stack up`")


@stack_app.command("env")
@reports_stack_errors
def env() -> None:
    """Print KEY=VALUE lines (SUPABASE_URL, keys, SUPABASE_DB_URL) for a shell or .env.

    Exit 1 when the stack is not serving: its values would be stale.
    """
    stack = local_stack()
    report = stack.status()
    if not report.running:
        problems = "; ".join(report.problems)
        fail(f"the stack is not serving ({problems}): run `aimodels stack up`")
    for line in env_lines(stack.info):
        typer.echo(line)
