"""Smoke: the soak benchmark runs briefly at `tiny` and reports per-interval figures.

Shapes and behaviour only (every attack sent, none answered 5xx, no legitimate failure),
never timings: those are for the benchmark's reader.
"""

from __future__ import annotations

import io
import math

import pytest
from rich.console import Console

from aimodels.bench.report import BenchmarkResult, RunReport
from aimodels.bench.runner import DEFAULT_BENCHMARKS, Benchmark, run_benchmarks
from aimodels.bench.scales import Scale
from aimodels.bench.soak import INTERVALS
from aimodels.stack.local_stack import LocalStack
from tests.bench.writers_left import writers_left_since

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def soak_report(local_stack: LocalStack) -> RunReport:
    console = Console(file=io.StringIO(), width=200)
    return run_benchmarks(
        local_stack, scale=Scale.TINY, seed=7, only=[Benchmark.SOAK], console=console
    )


@pytest.fixture(scope="module")
def soak(soak_report: RunReport) -> BenchmarkResult:
    [result] = soak_report.results
    return result


def test_soak_is_not_in_the_default_run() -> None:
    assert Benchmark.SOAK not in DEFAULT_BENCHMARKS, "a plain `bench run` would take minutes"


def test_soak_reports_p50_p99_and_rss_per_interval(soak: BenchmarkResult) -> None:
    assert soak.name == "soak"
    metrics = [(f.case.split(" (")[0], f.metric) for f in soak.figures]
    assert metrics == [
        (f"interval {n}", metric)
        for n in range(1, INTERVALS[Scale.TINY] + 1)
        for metric in ("p50_ms", "p99_ms", "rss_mb")
    ]
    for figure in soak.figures:
        assert figure.value > 0 and figure.limit > 0 and math.isfinite(figure.ratio), figure


def test_soak_checks_pass_attackers_refused_cleanly_and_legitimate_traffic_served(
    soak: BenchmarkResult,
) -> None:
    failed = [f"{c.name}: {c.detail}" for c in soak.checks if not c.passed]
    assert failed == [], failed
    assert {c.name for c in soak.checks} >= {
        "no legitimate request failed",
        "no attack got a 5xx",
        "every kind of attack was sent",
    }


def test_soak_leaves_no_writer_behind(soak_report: RunReport, local_stack: LocalStack) -> None:
    assert writers_left_since(local_stack, soak_report.started_at) == (0, 0, 0)
