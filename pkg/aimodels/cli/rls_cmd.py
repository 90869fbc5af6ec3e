"""`aimodels rls ...`: the RLS matrix (docs/roles-and-rls.md as data) and its mutation check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import psycopg
import typer
from rich.markup import escape

from aimodels.cli.output import people_console
from aimodels.client import ApiUnavailable, InvalidInput
from aimodels.rls.cases import load_matrix
from aimodels.rls.mutants import MutantKind
from aimodels.rls.mutation import MutantResult, Verdict, check_mutations
from aimodels.rls.reports.console import print_report
from aimodels.rls.reports.html import html_report
from aimodels.rls.reports.junit import junit_xml
from aimodels.rls.runner import MatrixRunner
from aimodels.rls.sessions import SignInFailed
from aimodels.rls.target import Target
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackSettings

rls_app = typer.Typer(
    help="Prove every RLS policy through the API, as each seeded account.\n\n"
    "Example: aimodels rls matrix --role admin --table organizations --html rls.html\n\n"
    "Reports given as a bare file name go to reports/ (git-ignored).",
    no_args_is_help=True,
)
console = people_console()

MatrixOption = Annotated[
    Path | None,
    typer.Option("--matrix", help="Matrix file (default: the package's matrix.toml)."),
]


def _target() -> Target:
    settings = StackSettings.for_project()
    env_file = settings.env_file
    if env_file is None or not env_file.is_file():
        raise InvalidInput(f"no {env_file or '.env'}: run `aimodels stack up` first")
    return Target.from_env(env_file)


def report_path(given: Path) -> Path:
    """Where a report goes: a bare file name into the project's reports/ folder (git-ignored),
    any other path as given; its folder is made."""
    path = given
    if given.parent == Path("."):
        path = StackSettings.for_project().project_dir / "reports" / given.name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


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
    junit: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Also write JUnit XML (bare name: reports/)."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Also write the HTML report (bare name: reports/)."),
    ] = None,
    matrix_file: MatrixOption = None,
) -> None:
    """Run the matrix against the running stack (.env). Exit 1 when any case fails.

    Write probes are undone after each case, and the run fails if any table's data differs
    afterwards.

    Example: aimodels rls matrix --role user1 --table profiles --json
    """
    matrix = load_matrix(matrix_file)
    known_actors, known_tables = set(matrix.actors), {p.table for p in matrix.probes}
    for name, given, known in (("role", role, known_actors), ("table", table, known_tables)):
        unknown = set(given or []) - known
        if unknown:
            raise InvalidInput(f"unknown {name} {sorted(unknown)}; choose from {sorted(known)}")
    target = _target()
    try:
        with (
            MatrixRunner(target, matrix) as runner,
            console.status("Probing the API as each actor...", spinner="dots"),
        ):
            report = runner.run(matrix.select(roles=role, tables=table))
    except (psycopg.OperationalError, httpx.TransportError, SignInFailed) as error:
        raise ApiUnavailable(
            f"cannot run the matrix against {target.api_url} ({error}): is the stack up? "
            "`aimodels stack up` starts it and writes .env"
        ) from error
    order = list(matrix.actors)
    if junit is not None:
        report_path(junit).write_text(junit_xml(report))
    if html is not None:
        report_path(html).write_text(html_report(report, target=target.api_url, actor_order=order))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_report(report, console, actor_order=order)
    if not report.passed:
        raise typer.Exit(1)


_VERDICT_MARKS = {
    Verdict.CAUGHT: "[green]caught[/green]",
    Verdict.SURVIVED: "[bold red]SURVIVED[/bold red]",
    Verdict.UNREACHABLE: "[yellow]unreachable[/yellow]",
}


@rls_app.command("mutate")
def mutate_command(
    kind: Annotated[
        list[MutantKind] | None,
        typer.Option("--kind", help="Only these kinds of mutant (repeat)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    matrix_file: MatrixOption = None,
) -> None:
    """Break each policy, rule function and guard trigger in turn; the matrix must notice.

    Runs in a throwaway database of the local stack's cluster, served by a second gateway;
    the stack's own database is not touched. Exit 1 when any mutant survives (no case
    failed while it was in place) or the catalog was not restored.

    Example: aimodels rls mutate --kind "drop policy" --kind "loosen policy"
    """
    stack = LocalStack(StackSettings.for_project())
    if not stack.cluster.is_running():
        raise ApiUnavailable("the local stack is not running: run `aimodels stack up` first")
    matrix = load_matrix(matrix_file)

    def show(result: MutantResult) -> None:
        if not as_json:
            detail = result.caught_by or result.note or f"{result.cases_run} cases passed"
            console.print(
                f"{_VERDICT_MARKS[result.verdict]} {result.kind}: {escape(result.target)}"
            )
            console.print(f"    [dim]{escape(detail)}[/dim]")

    report = check_mutations(
        stack, matrix, kinds={k.value for k in kind or []} or None, progress=show
    )
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        counts = {v: sum(1 for r in report.results if r.verdict is v) for v in Verdict}
        for skipped in report.not_mutated:
            console.print(f"[dim]not mutated: {escape(skipped.target)}: {skipped.reason}[/dim]")
        if report.baseline_failures:
            console.print(
                f"[yellow]{len(report.baseline_failures)} cases fail without any mutant and "
                "were left out:[/yellow] " + ", ".join(report.baseline_failures)
            )
        console.print(
            f"Mutation check: {counts[Verdict.CAUGHT]} caught, "
            f"{counts[Verdict.SURVIVED]} survived, {counts[Verdict.UNREACHABLE]} unreachable "
            f"through the API; catalog restored: {'yes' if report.catalog_restored else 'NO'}"
        )
    if not report.passed:
        raise typer.Exit(1)
