"""Figures are ratios to their limits; the verdict follows the goal (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime

from aimodels.bench.report import (
    BenchmarkResult,
    Figure,
    Goal,
    Machine,
    RunReport,
    report_markdown,
)
from aimodels.bench.stats import percentile, summarize


def _figure(value: float, limit: float, goal: Goal = Goal.AT_MOST) -> Figure:
    return Figure(
        case="c", metric="p50_ms", value=value, limit=limit, limit_label="l", target=1.25, goal=goal
    )


def test_a_cost_meets_its_target_at_or_below_the_ratio() -> None:
    assert _figure(1.25, 1.0).met is True
    assert _figure(1.3, 1.0).met is False


def test_a_rate_meets_its_target_at_or_above_the_ratio() -> None:
    assert _figure(0.6, 0.5, Goal.AT_LEAST).met is False
    assert _figure(1.3, 1.0, Goal.AT_LEAST).met is True


def test_a_figure_without_target_has_no_verdict() -> None:
    figure = Figure(case="c", metric="seconds", value=1, limit=2, limit_label="l")
    assert figure.met is None and figure.ratio == 0.5


def test_percentiles_are_nearest_rank_samples() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 0.5) == 50.0
    assert percentile(samples, 0.99) == 99.0
    assert summarize(samples).samples == 100


def test_markdown_has_one_table_row_per_figure() -> None:
    report = RunReport(
        started_at=datetime(2025, 1, 1, tzinfo=UTC),
        scale="tiny",
        seed=1,
        machine=Machine(cpus=2, memory_gb=1, postgres="15", python="3.11", platform="x"),
        results=[
            BenchmarkResult(
                name="n", title="T", scale="tiny", figures=[_figure(1, 1), _figure(2, 1)]
            )
        ],
    )
    rows = [line for line in report_markdown(report).splitlines() if line.startswith("| c |")]
    assert len(rows) == 2
