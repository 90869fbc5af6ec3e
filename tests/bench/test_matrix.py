"""Saved runs fold into one scale x shape table of ratios (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aimodels.bench.matrix import MatrixError, targets_matrix
from aimodels.bench.report import BenchmarkResult, Check, Figure, Machine, RunReport


def _report(scale: str, shape: str, p50_ratio: float, *, seq_scan_free: bool = True) -> RunReport:
    return RunReport(
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        scale=scale,
        shape=shape,
        seed=42,
        machine=Machine(cpus=2, memory_gb=1, postgres="15", python="3.11", platform="x"),
        results=[
            BenchmarkResult(
                name="rls",
                title="RLS overhead",
                scale=scale,
                figures=[
                    Figure(
                        case="own usage",
                        metric="p50_ms",
                        value=p50_ratio,
                        limit=1.0,
                        limit_label="owner",
                        target=1.25,
                    ),
                    # No target: not a row of the matrix.
                    Figure(case="rows", metric="rows", value=5, limit=1, limit_label="x"),
                ],
                checks=[Check(name="no seq scan", passed=seq_scan_free)],
            )
        ],
    )


def _rows(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()]


def test_columns_run_from_the_smallest_scale_and_shape_whatever_the_order_given() -> None:
    table = targets_matrix(
        [
            _report("medium", "wide", 1.0),
            _report("small", "skewed", 1.0),
            _report("small", "wide", 1.0),
        ]
    )
    assert _rows(table)[0] == [
        "target or check",
        "small wide",
        "small skewed",
        "medium wide",
        "met",
    ]


def test_a_missed_target_and_a_failed_check_are_bold_and_a_met_one_is_not() -> None:
    table = targets_matrix(
        [_report("small", "wide", 1.1), _report("small", "heavy", 2.0, seq_scan_free=False)]
    )
    rows = {row[0]: row[1:] for row in _rows(table)[2:]}
    assert rows == {
        "RLS overhead: own usage, p50_ms <= 1.25": ["1.10", "**2.00**", "1 of 2"],
        "RLS overhead: no seq scan": ["pass", "**fail**", "1 of 2"],
    }


def test_a_target_one_run_did_not_measure_shows_a_dash() -> None:
    without = _report("small", "heavy", 1.0)
    without.results[0].figures.clear()
    rows = _rows(targets_matrix([_report("small", "wide", 1.0), without]))
    assert ["RLS overhead: own usage, p50_ms <= 1.25", "1.00", "-", "1 of 1"] in rows


def test_two_runs_of_the_same_scale_and_shape_are_refused() -> None:
    with pytest.raises(MatrixError, match="two reports for scale small, shape wide"):
        targets_matrix([_report("small", "wide", 1.0), _report("small", "wide", 1.2)])


def test_an_earlier_rounds_figure_shows_beside_the_new_one_and_the_last_column_counts() -> None:
    table = targets_matrix(
        [_report("small", "wide", 1.1), _report("small", "heavy", 1.3)],
        before=[_report("small", "wide", 1.4, seq_scan_free=False)],
    )
    rows = {row[0]: row[1:] for row in _rows(table)[2:]}
    assert _rows(table)[0] == ["target or check", "small wide", "small heavy", "met"]
    # small heavy has no earlier report: its cells stay as they were.
    assert rows == {
        "RLS overhead: own usage, p50_ms <= 1.25": ["1.10 (1.40)", "**1.30**", "1 of 2"],
        "RLS overhead: no seq scan": ["pass (fail)", "pass", "2 of 2"],
    }


def test_an_earlier_round_without_a_new_column_adds_no_column() -> None:
    table = targets_matrix([_report("small", "wide", 1.0)], before=[_report("large", "wide", 1.0)])
    assert _rows(table)[0] == ["target or check", "small wide", "met"]


def test_an_earlier_round_may_be_partial_runs_and_the_latest_run_gives_each_cell() -> None:
    checks_only = _report("small", "wide", 1.0, seq_scan_free=False)
    checks_only.results[0].figures.clear()
    older = _report("small", "wide", 1.6)
    older.results[0].checks.clear()
    newer = _report("small", "wide", 1.4)
    newer.results[0].checks.clear()
    newer.started_at = older.started_at + timedelta(hours=1)
    rows = _rows(targets_matrix([_report("small", "wide", 1.1)], [newer, checks_only, older]))
    assert ["RLS overhead: own usage, p50_ms <= 1.25", "1.10 (1.40)", "1 of 1"] in rows
    assert ["RLS overhead: no seq scan", "pass (fail)", "1 of 1"] in rows
