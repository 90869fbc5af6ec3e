"""`aimodels rls ...`: the RLS matrix (DESIGN section 5 as data) and its mutation check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from aimodels.rls.cases import load_matrix
from aimodels.rls.reports.console import print_report
from aimodels.rls.reports.html import html_report
from aimodels.rls.reports.junit import junit_xml
from aimodels.rls.runner import MatrixRunner
from aimodels.rls.target import Target
from aimodels.stack.state import StackSettings

rls_app = typer.Typer(
    help="Prove every RLS policy through the API, as each seeded account.\n\n"
    "Example: aimodels rls matrix --role admin --table organizations --html rls.html",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)

MatrixOption = Annotated[
    Path | None,
    typer.Option("--matrix", help="Matrix file (default: the package's matrix.toml)."),
]


def _target() -> Target:
    env_file = StackSettings.for_project().env_file
    if env_file is None:
        raise typer.BadParameter("no .env: run `aimodels stack up` first")
    return Target.from_env(env_file)


@rls_app.command("matrix")
def matrix_command(
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="Only these actors (repeat): anon, user1, admin, ..."),
    ] = None,
    table: Annotated[
        list[str] | None, typer.Option("--table", help="Only these tables (repeat).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"cases": [...], "summary": {...}}.')
    ] = False,
    junit: Annotated[Path | None, typer.Option(help="Also write JUnit XML here.")] = None,
    html: Annotated[Path | None, typer.Option(help="Also write the HTML report here.")] = None,
    matrix_file: MatrixOption = None,
) -> None:
    """Run the matrix against the running stack (.env). Exit 1 when any case fails.

    Write probes are undone after each case (see pkg/aimodels/rls/snapshot.py), and the run
    fails if any table's data differs afterwards.

    Example: aimodels rls matrix --json > rls.json
    """
    matrix = load_matrix(matrix_file)
    known_actors, known_tables = set(matrix.actors), {p.table for p in matrix.probes}
    for name, given, known in (("role", role, known_actors), ("table", table, known_tables)):
        unknown = set(given or []) - known
        if unknown:
            raise typer.BadParameter(
                f"unknown {name} {sorted(unknown)}; choose from {sorted(known)}"
            )
    target = _target()
    with (
        MatrixRunner(target, matrix) as runner,
        console.status("Probing the API as each actor...", spinner="dots"),
    ):
        report = runner.run(matrix.select(roles=role, tables=table))
    order = list(matrix.actors)
    if junit is not None:
        junit.write_text(junit_xml(report))
    if html is not None:
        html.write_text(html_report(report, target=target.api_url, actor_order=order))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_report(report, console, actor_order=order)
    if not report.passed:
        raise typer.Exit(1)
