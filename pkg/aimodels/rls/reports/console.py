"""The matrix for people at a terminal: one grid per table, then each failure as a sentence."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aimodels.rls.grid import build_grids
from aimodels.rls.results import MatrixReport


def print_report(
    report: MatrixReport, console: Console, *, actor_order: list[str] | None = None
) -> None:
    for grid in build_grids(report.cases, actor_order):
        table = Table(title=grid.table, title_justify="left", show_lines=False)
        table.add_column("actor")
        for operation in grid.operations:
            table.add_column(operation, justify="center")
        for actor in grid.actors:
            row = [grid.labels[actor]]
            for operation in grid.operations:
                cell = grid.cell(actor, operation)
                if cell.total == 0:
                    row.append("[dim]-[/dim]")
                elif cell.failed:
                    row.append(f"[bold red]FAIL {cell.failed}/{cell.total}[/bold red]")
                else:
                    row.append(f"[green]ok {cell.total}[/green]")
            table.add_row(*row)
        console.print(table)
    for failure in report.failures:
        console.print(f"[red]FAIL[/red] {escape(failure.failure or '')}  [dim]({failure.id})[/dim]")
    summary = report.summary
    if summary.data_left_as_found is False:
        console.print(
            "[red]data was not left as found[/red]: " + escape(", ".join(summary.data_changes))
        )
    verdict = "[green]passed[/green]" if report.passed else "[bold red]FAILED[/bold red]"
    console.print(
        f"RLS matrix {verdict}: {summary.passed}/{summary.total} cases passed, "
        f"{summary.failed} failed; "
        + ", ".join(f"{actor} {counts.cases}" for actor, counts in summary.by_actor.items())
    )
