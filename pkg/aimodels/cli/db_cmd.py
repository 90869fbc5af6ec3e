"""`aimodels db ...`: the database itself, through the pinned Supabase CLI."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from aimodels.cli.stack_cmd import local_stack
from aimodels.stack.process import CommandFailed

db_app = typer.Typer(
    help="Reset or roll back the local database with the Supabase CLI.\n\n"
    "Example: aimodels db reset --last 1   (roll back the newest migration)",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)


@db_app.command("reset")
def reset(
    version: Annotated[
        str | None, typer.Option(help="Apply migrations only up to this timestamp version.")
    ] = None,
    last: Annotated[
        int | None, typer.Option(help="Leave out the newest N migrations (roll back N).")
    ] = None,
    seed: Annotated[
        bool | None,
        typer.Option(
            "--seed/--no-seed",
            help="Load supabase/seed.sql afterwards. Default: yes, but no when rolling back "
            "(the seed is written for the newest schema).",
        ),
    ] = None,
) -> None:
    """Drop everything the migrations made, re-apply them and the seed.

    All data in public (and auth users) is dropped; the platform roles and schemas stay.
    """
    if version is not None and last is not None:
        raise typer.BadParameter("give --version or --last, not both")
    rolling_back = version is not None or last is not None
    load_seed = seed if seed is not None else not rolling_back
    stack = local_stack()
    if not stack.cluster.is_running():
        console.print("[red]The stack is not running: run `aimodels stack up` first.[/red]")
        raise typer.Exit(1)
    with console.status("Resetting the database..."):
        try:
            stack.reset(version=version, last=last, seed=load_seed)
        except CommandFailed as failure:
            errors.print(f"[red]db reset failed[/red]: {failure.stderr.strip() or failure}")
            raise typer.Exit(1) from failure
    applied = "migrations and seed" if load_seed else "migrations, no seed"
    console.print(f"[green]Database reset[/green] ({applied} applied).")
