"""`bench run`: prepare the scale's database (seeding it if needed), run the benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from rich.console import Console

from aimodels.bench.api_path import run_api_path
from aimodels.bench.concurrency import run_concurrency
from aimodels.bench.context import BenchContext
from aimodels.bench.database import BenchDatabase
from aimodels.bench.devloop import run_devloop
from aimodels.bench.generator import GENERATOR_VERSION
from aimodels.bench.history_cost import run_history_cost
from aimodels.bench.loader import read_seed_info, schema_fingerprint, seed_database
from aimodels.bench.machine import describe_machine
from aimodels.bench.proxy_path import run_proxy_path
from aimodels.bench.report import RunReport, render_result
from aimodels.bench.report_path import run_report_path
from aimodels.bench.rls_overhead import run_rls_overhead
from aimodels.bench.scales import Scale, Shape, scales_up_to
from aimodels.bench.soak import run_soak
from aimodels.stack.local_stack import LocalStack


class Benchmark(StrEnum):
    RLS = "rls"
    HISTORY = "history"
    CONCURRENCY = "concurrency"
    API = "api"
    REPORT = "report"
    DEVLOOP = "devloop"
    SOAK = "soak"
    PROXY = "proxy"


# The soak runs for minutes: only when asked for (`--only soak`).
DEFAULT_BENCHMARKS = tuple(b for b in Benchmark if b is not Benchmark.SOAK)


def prepare(
    stack: LocalStack,
    scale: Scale,
    *,
    seed: int,
    console: Console,
    shape: Shape = Shape.WIDE,
    reseed: bool = False,
) -> BenchContext:
    """The scale's database in a shape, seeded with `seed` (loaded now if missing or stale)."""
    database = BenchDatabase(stack, scale, shape)
    database.require_cluster()
    info = None if reseed else read_seed_info(database)
    fingerprint = schema_fingerprint(stack.settings.project_dir)
    if (
        info is None
        or info.seed != seed
        or info.schema_fingerprint != fingerprint
        or info.generator_version != GENERATOR_VERSION
    ):
        console.print(f"Seeding [bold]{scale}[/bold] {shape} (seed {seed}) into {database.name}...")
        info = seed_database(database, seed=seed, console=console)
    elif datetime.now(UTC) - info.anchor > timedelta(days=1):
        console.print(
            f"[yellow]{database.name} was seeded {info.anchor:%Y-%m-%d}: 'this period' holds"
            " less data than on the day of seeding; `bench run --reseed` refreshes it.[/yellow]"
        )
    return BenchContext(stack=stack, database=database, seed_info=info)


def run_benchmarks(
    stack: LocalStack,
    *,
    scale: Scale,
    seed: int,
    shape: Shape = Shape.WIDE,
    only: Iterable[Benchmark] = DEFAULT_BENCHMARKS,
    console: Console,
    with_tests: bool = False,
    show_plans: bool = True,
    reseed: bool = False,
    soak_seconds: float | None = None,
) -> RunReport:
    chosen = set(only)
    ctx = prepare(stack, scale, seed=seed, console=console, shape=shape, reseed=reseed)
    report = RunReport(
        started_at=datetime.now(UTC),
        scale=scale,
        shape=shape,
        seed=seed,
        machine=describe_machine(stack.cluster.url()),
    )
    steps = {
        Benchmark.RLS: lambda: run_rls_overhead(ctx),
        Benchmark.HISTORY: lambda: run_history_cost(
            [
                ctx if s is scale else prepare(stack, s, seed=seed, console=console, shape=shape)
                for s in scales_up_to(scale)
            ]
        ),
        Benchmark.CONCURRENCY: lambda: run_concurrency(ctx),
        Benchmark.API: lambda: run_api_path(ctx),
        Benchmark.REPORT: lambda: run_report_path(ctx),
        Benchmark.DEVLOOP: lambda: run_devloop(
            stack.settings.project_dir, scale=scale, with_tests=with_tests
        ),
        Benchmark.SOAK: lambda: run_soak(ctx, seconds=soak_seconds),
        Benchmark.PROXY: lambda: run_proxy_path(ctx),
    }
    for benchmark in Benchmark:
        if benchmark not in chosen:
            continue
        with console.status(f"Running benchmark {benchmark}..."):
            result = steps[benchmark]()
        report.results.append(result)
        render_result(console, result, show_plans=show_plans)
    report.finished_at = datetime.now(UTC)
    return report
