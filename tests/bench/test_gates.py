"""`bench run` fails on what must never happen, whatever the benchmark concluded itself:
a plan that scans the usage log, an overshoot (pure: reports are built here, no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from aimodels.bench.gates import gate_failures
from aimodels.bench.report import BenchmarkResult, Check, Machine, QueryPlan, RunReport
from aimodels.cli import bench_cmd
from aimodels.cli.app import app


def _report(*results: BenchmarkResult) -> RunReport:
    return RunReport(
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        scale="tiny",
        seed=1,
        machine=Machine(cpus=2, memory_gb=1, postgres="15", python="3.11", platform="x"),
        results=list(results),
    )


def _plan(seq_scanned: list[str]) -> QueryPlan:
    return QueryPlan(
        query="user: own usage this period",
        actor="user (RLS)",
        sql="select 1",
        plan="Seq Scan on ai_model_usage u",
        seq_scanned=seq_scanned,
    )


def _rls(*plans: QueryPlan) -> BenchmarkResult:
    # Its own checks all passed: the gate must not rely on them.
    return BenchmarkResult(
        name="rls_overhead",
        title="1",
        scale="tiny",
        plans=list(plans),
        checks=[Check(name="same result as the owner", passed=True)],
    )


def _overshoot() -> BenchmarkResult:
    return BenchmarkResult(
        name="concurrency",
        title="3",
        scale="tiny",
        checks=[
            Check(
                name="zero overshoot, counters exact: (a) different users, 1 sessions", passed=True
            ),
            Check(
                name="zero overshoot, counters exact: (b) one user near its limit, 8 sessions",
                passed=False,
                detail="recorded 1010 > limit 1000",
            ),
        ],
    )


def test_a_plan_that_seq_scans_the_usage_log_fails_even_when_every_check_passed() -> None:
    report = _report(_rls(_plan([]), _plan(["ai_model_usage"])))
    assert report.checks_passed
    assert gate_failures(report) == [
        "rls_overhead: the plan of 'user: own usage this period' as user (RLS) scans"
        " ai_model_usage sequentially"
    ]


def test_a_seq_scan_of_another_table_is_not_a_failure() -> None:
    assert gate_failures(_report(_rls(_plan(["ai_models_system"])))) == []


def test_an_overshoot_fails_with_what_was_recorded() -> None:
    assert gate_failures(_report(_rls(_plan([])), _overshoot())) == [
        "concurrency: check failed: zero overshoot, counters exact: (b) one user near its"
        " limit, 8 sessions (recorded 1010 > limit 1000)"
    ]


@pytest.mark.parametrize(
    ("results", "named"),
    [
        ((_rls(_plan(["ai_model_usage"])),), "scans ai_model_usage sequentially"),
        ((_overshoot(),), "recorded 1010 > limit 1000"),
    ],
)
def test_bench_run_exits_1_with_one_line_naming_the_problem(
    monkeypatch: pytest.MonkeyPatch, results: tuple[BenchmarkResult, ...], named: str
) -> None:
    monkeypatch.setattr(bench_cmd, "local_stack", lambda: None)
    monkeypatch.setattr(bench_cmd, "run_benchmarks", lambda *_a, **_k: _report(*results))
    result = CliRunner().invoke(app, ["bench", "run", "--scale", "tiny", "--no-plans"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: benchmark gate failed"), result.stderr
    assert named in lines[0]


def test_bench_run_exits_0_when_nothing_must_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_cmd, "local_stack", lambda: None)
    monkeypatch.setattr(bench_cmd, "run_benchmarks", lambda *_a, **_k: _report(_rls(_plan([]))))
    result = CliRunner().invoke(app, ["bench", "run", "--scale", "tiny", "--no-plans"])
    assert result.exit_code == 0, result.output
