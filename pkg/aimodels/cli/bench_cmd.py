"""`aimodels bench ...`: load generated data at a scale and run the benchmarks (BENCHMARKS.md).

Everything happens in a throwaway database (`aimodels_bench_<scale>`) of the local stack's
cluster, never in the developer's seeded database. The stack's Postgres must be running
(`aimodels stack up`); AIMODELS_STACK_DIR picks another stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from aimodels.bench.database import BenchDatabase
from aimodels.bench.gates import enforce_gates
from aimodels.bench.loader import seed_database
from aimodels.bench.matrix import MatrixError, targets_matrix
from aimodels.bench.report import RunReport, report_json, report_markdown
from aimodels.bench.runner import DEFAULT_BENCHMARKS, Benchmark, run_benchmarks
from aimodels.bench.scales import Scale, Shape
from aimodels.cli.exits import EXIT_CODES_HELP
from aimodels.cli.options import JsonFlag, OutputFile
from aimodels.cli.output import people_console
from aimodels.cli.stack_cmd import local_stack
from aimodels.client import InvalidInput, NotFound

bench_app = typer.Typer(
    help="Benchmarks at scale: RLS overhead, recording cost, concurrency, API path, dev loop.\n\n"
    "Example: aimodels bench seed --scale tiny && aimodels bench run --scale tiny --only rls "
    "--output reports/bench.json\n\n"
    "Exit 1, with one line naming each problem, when any plan a benchmark collected scans the "
    "usage log sequentially or any check failed (an overshoot, a wrong counter, a result that "
    "differs from the owner's); missed targets are reported, not failed.\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
)
console = people_console()
errors = Console(stderr=True)

ScaleOption = Annotated[
    Scale, typer.Option(help="tiny (smoke test), small, medium or large (see BENCHMARKS.md).")
]
SeedOption = Annotated[int, typer.Option(help="Generator seed: the same seed, the same rows.")]
ShapeOption = Annotated[
    Shape,
    typer.Option(
        help="Who holds the usage rows: wide (many orgs, light users), heavy (a few users of a"
        " few orgs hold them all) or skewed (the largest org holds half)."
    ),
]


@bench_app.command("seed")
def seed(
    scale: ScaleOption = Scale.SMALL,
    seed: SeedOption = 42,
    shape: ShapeOption = Shape.WIDE,
    json_out: JsonFlag = False,
) -> None:
    """(Re)create the scale's database in a shape and bulk-load it with COPY, then ANALYZE."""
    database = BenchDatabase(local_stack(), scale, shape)
    info = seed_database(database, seed=seed, console=errors if json_out else console)
    if json_out:
        typer.echo(info.model_dump_json(indent=2))
        return
    table = Table("table", "rows", "seconds", "rows/s", title=f"Loaded {database.name}")
    for load in info.loaded:
        table.add_row(
            load.table, f"{load.rows:,}", f"{load.seconds:.1f}", f"{load.rows_per_s:,.0f}"
        )
    console.print(table)
    console.print(
        f"Seed {seed} at {scale}, {shape} shape, in {info.seconds:.1f} s"
        " (with migrations and indexes)."
    )


@bench_app.command("run")
def run(
    scale: ScaleOption = Scale.SMALL,
    seed: SeedOption = 42,
    shape: ShapeOption = Shape.WIDE,
    only: Annotated[
        list[Benchmark] | None,
        typer.Option(
            help="Run only these benchmarks (repeat the option). Default: all but soak, "
            "which runs for minutes: aimodels bench run --only soak"
        ),
    ] = None,
    output: OutputFile = None,
    json_out: JsonFlag = False,
    markdown_file: Annotated[
        Path | None,
        typer.Option("--markdown", help="Also write the tables and plans as Markdown."),
    ] = None,
    with_tests: Annotated[
        bool, typer.Option(help="Developer loop: also time the full test command (slow).")
    ] = False,
    plans: Annotated[bool, typer.Option(help="Print each hot read's EXPLAIN.")] = True,
    reseed: Annotated[bool, typer.Option(help="Reload the scale's data first.")] = False,
    soak_seconds: Annotated[
        float | None,
        typer.Option(help="Soak: seconds of traffic (default by scale: small 120, medium 300)."),
    ] = None,
) -> None:
    """Run the benchmarks at a scale (seeding it first if needed); print tables and plans.

    --output FILE also writes the report as JSON; --json prints it on stdout instead of the
    tables (progress then goes to stderr).
    """
    report = run_benchmarks(
        local_stack(),
        scale=scale,
        seed=seed,
        shape=shape,
        only=only or DEFAULT_BENCHMARKS,
        console=errors if json_out else console,
        with_tests=with_tests,
        show_plans=plans,
        reseed=reseed,
        soak_seconds=soak_seconds,
    )
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report_json(report))
        (errors if json_out else console).print(f"Wrote {output}")
    if json_out:
        typer.echo(report_json(report))
    if markdown_file is not None:
        markdown_file.write_text(report_markdown(report))
        console.print(f"Wrote {markdown_file}")
    enforce_gates(report)


@bench_app.command("markdown")
def markdown(
    json_file: Annotated[
        Path, typer.Argument(help="A report written by `bench run --output FILE`.")
    ],
    plans: Annotated[bool, typer.Option(help="Include each hot read's EXPLAIN.")] = True,
) -> None:
    """Print a saved JSON report as Markdown tables and plans (for BENCHMARKS.md)."""
    report = RunReport.model_validate_json(json_file.read_text())
    typer.echo(report_markdown(report, plans=plans))


@bench_app.command("matrix")
def matrix(
    json_files: Annotated[
        list[Path],
        typer.Argument(help="Reports written by `bench run --output FILE`, one per scale x shape."),
    ],
    before: Annotated[
        list[Path] | None,
        typer.Option(
            "--before",
            help="An earlier round's report (repeat the option): its figure shows beside "
            "the new one, `now (before)`. Where several give a figure, the latest run's.",
        ),
    ] = None,
) -> None:
    """Print one Markdown table of every target's ratio across saved runs (scale x shape).

    Bold: target missed. "-": that run did not measure it. The last column counts the
    runs that met it.

    Example: aimodels bench matrix reports/bench.json
    """
    reports = [RunReport.model_validate_json(path.read_text()) for path in json_files]
    earlier = [RunReport.model_validate_json(path.read_text()) for path in before or []]
    try:
        typer.echo(targets_matrix(reports, earlier))
    except MatrixError as error:
        raise InvalidInput(str(error)) from error


@bench_app.command("drop")
def drop(
    scale: ScaleOption = Scale.SMALL, shape: ShapeOption = Shape.WIDE, json_out: JsonFlag = False
) -> None:
    """Drop the scale's database in that shape (nothing else lives there). Exit 6 if there is
    none.

    Example: aimodels bench drop --scale tiny
    """
    database = BenchDatabase(local_stack(), scale, shape)
    database.require_cluster()
    if not database.exists():
        raise NotFound(f"there is no {database.name} to drop")
    database.drop()
    if json_out:
        typer.echo(json.dumps({"dropped": database.name}))
        return
    console.print(f"Dropped {database.name}.")
