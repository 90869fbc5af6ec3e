"""`aimodels db ...`: the database itself, through the pinned Supabase CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.console import Console

from aimodels.cli.exits import EXIT_CODES_HELP
from aimodels.cli.failures import command_failure
from aimodels.cli.options import JsonFlag
from aimodels.cli.stack_cmd import local_stack
from aimodels.client import AppError, InvalidInput
from aimodels.stack.process import CommandFailed

db_app = typer.Typer(
    help="Reset or roll back the local database with the Supabase CLI.\n\n"
    "Example: aimodels db reset --last 1\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
)


class ResetResult(BaseModel):
    """What a reset left applied, for people and for --json."""

    applied: list[str]
    left_out: list[str]
    seeded: bool


def migration_names(project_dir: Path) -> list[str]:
    """supabase/migrations/*.sql without the suffix, oldest first (as the Supabase CLI)."""
    return sorted(path.stem for path in (project_dir / "supabase" / "migrations").glob("*.sql"))


def migrations_kept(names: list[str], version: str | None, last: int | None) -> list[str]:
    """The migrations a reset with --version or --last applies; InvalidInput for a version
    that names no migration, or a --last that leaves none or removes none."""
    if version is not None and last is not None:
        raise InvalidInput("give --version or --last, not both")
    if version is not None:
        versions = [name.split("_", 1)[0] for name in names]
        if version not in versions:
            raise InvalidInput(
                f"--version {version}: no such migration; the versions are "
                f"{versions[0]} .. {versions[-1]} (see supabase/migrations/)"
            )
        return names[: versions.index(version) + 1]
    if last is not None:
        if not 1 <= last < len(names):
            raise InvalidInput(
                f"--last {last}: give 1 .. {len(names) - 1} "
                f"(there are {len(names)} migrations and at least one must stay)"
            )
        return names[:-last]
    return names


@db_app.command("reset")
def reset(
    version: Annotated[
        str | None,
        typer.Option(
            metavar="VERSION",
            help="Apply migrations only up to this one (its timestamp, e.g. 20250601000700).",
        ),
    ] = None,
    last: Annotated[
        int | None,
        typer.Option(metavar="N", help="Leave out the newest N migrations (roll back N)."),
    ] = None,
    seed: Annotated[
        bool | None,
        typer.Option(
            "--seed/--no-seed",
            help="Load supabase/seed.sql afterwards. Default: yes, but no when rolling back "
            "(the seed is written for the newest schema).",
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Drop everything the migrations made, re-apply them and the seed.

    All data in public (and auth users) is dropped; the platform roles and schemas stay.
    Bad --version or --last values change nothing.

    Example: aimodels db reset
    """
    stack = local_stack()
    names = migration_names(stack.settings.project_dir)
    kept = migrations_kept(names, version, last)
    rolling_back = version is not None or last is not None
    load_seed = seed if seed is not None else not rolling_back
    if not stack.cluster.is_running():
        raise InvalidInput("the stack is not running: run `aimodels stack up` first")
    try:
        with Console(stderr=True).status("Resetting the database..."):
            stack.reset(version=version, last=last, seed=load_seed)
    except CommandFailed as failure:
        # The CLI stops at the failing migration: say which, and how to get back.
        raise AppError(
            f"{command_failure(failure)}; the database holds only the migrations before it: "
            "fix it, then run `aimodels db reset`"
        ) from failure
    result = ResetResult(applied=kept, left_out=names[len(kept) :], seeded=load_seed)
    if json_out:
        print(result.model_dump_json(indent=2))
        return
    seeded = "seed loaded" if result.seeded else "no seed"
    print(
        f"Database reset: {len(result.applied)} of {len(names)} migrations applied "
        f"(newest {result.applied[-1]}), {seeded}."
    )
