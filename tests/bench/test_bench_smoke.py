"""Smoke: every benchmark runs at `tiny` scale and reports figures in the documented shape.

Shapes only: benchmarks print timings, tests never assert on them.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import psycopg
import pytest
from rich.console import Console
from typer.testing import CliRunner

from aimodels.bench.database import BenchDatabase
from aimodels.bench.hot_reads import HOT_READS
from aimodels.bench.loader import read_seed_info
from aimodels.bench.report import RunReport, report_json
from aimodels.bench.runner import Benchmark, run_benchmarks
from aimodels.bench.scales import Scale, Shape
from aimodels.cli.app import app
from aimodels.stack.local_stack import LocalStack
from tests.bench.writers_left import writers_left_since

pytestmark = pytest.mark.stack

EXPECTED_ORDER = [
    "rls_overhead",
    "recording_vs_history",
    "concurrency",
    "api_path",
    "usage_report",
    "devloop",
    "proxy_path",
]
METRICS = {"p50_ms", "p99_ms", "calls_per_s", "requests_per_s", "seconds"}


@pytest.fixture(scope="module")
def tiny_report(local_stack: LocalStack) -> RunReport:
    console = Console(file=io.StringIO(), width=200)
    return run_benchmarks(local_stack, scale=Scale.TINY, seed=7, console=console)


def test_every_benchmark_reports_once_in_order(tiny_report: RunReport) -> None:
    assert [r.name for r in tiny_report.results] == EXPECTED_ORDER


def test_every_figure_is_a_finite_ratio_to_a_positive_limit(tiny_report: RunReport) -> None:
    for result in tiny_report.results:
        assert result.figures, f"{result.name} reported no figures"
        for figure in result.figures:
            assert figure.metric in METRICS, figure
            assert figure.value > 0 and figure.limit > 0, figure
            assert math.isfinite(figure.ratio), figure
            assert figure.limit_label, figure


def test_rls_overhead_reports_p50_p99_and_both_plans_per_hot_read(tiny_report: RunReport) -> None:
    [rls] = [r for r in tiny_report.results if r.name == "rls_overhead"]
    assert [(f.case, f.metric) for f in rls.figures] == [
        (read.name, metric) for read in HOT_READS for metric in ("p50_ms", "p99_ms")
    ]
    assert [p.query for p in rls.plans] == [read.name for read in HOT_READS for _ in (1, 2)]
    assert all("Planning Time" in p.plan for p in rls.plans)
    assert any(c.name.startswith("no plan scans ai_model_usage") for c in rls.checks)
    # Where the client and the timed sessions ran is part of the figure (bench/placement.py).
    assert any("client on core" in n or "placed by the scheduler" in n for n in rls.notes)


def test_an_rpc_hot_read_shows_the_plans_of_the_queries_it_runs(tiny_report: RunReport) -> None:
    """EXPLAIN sees an RPC as one Function Scan; the seq-scan check must see inside it."""
    [rls] = [r for r in tiny_report.results if r.name == "rls_overhead"]
    [plan] = [
        p for p in rls.plans if "rpc usage_across_orgs" in p.query and p.actor.endswith("(RLS)")
    ]
    assert "Function Scan" in plan.plan
    inside = plan.plan.split("Run inside functions (auto_explain):", 1)[1]
    assert "on ai_model_usage" in inside and "set_config" not in inside, inside


def test_rls_and_owner_sides_compute_the_same_result(tiny_report: RunReport) -> None:
    """Not a timing: the hand predicate must mean what the policies mean, or the ratio lies."""
    [rls] = [r for r in tiny_report.results if r.name == "rls_overhead"]
    same = [c for c in rls.checks if c.name.startswith("same result")]
    assert len(same) == len(HOT_READS)
    assert all(c.passed for c in same), [c.name for c in same if not c.passed]


_SPENDING_MODES = (
    "(a) different users",
    "(b) one user near its limit",
    "(c) different users, hold then settle",
    "(d) one user near its limit, hold then settle",
)


def test_concurrency_covers_every_mode_at_every_session_count(tiny_report: RunReport) -> None:
    [conc] = [r for r in tiny_report.results if r.name == "concurrency"]
    wrapped = ", vs the same API transaction"
    floor = ", vs the same call with no rules"
    cases = [f.case for f in conc.figures]
    for mode in _SPENDING_MODES:
        assert [c for c in cases if c.startswith(mode + ",") and "vs" not in c] == [
            f"{mode}, {n} sessions" for n in (1, 2, 4, 8, 16)
        ]
    # Modes (a) and (c) are also set against the same calls with no rules, and against the
    # bare INSERT inside the API's transaction.
    for suffix in (floor, wrapped):
        assert [c for c in cases if c.endswith(suffix)] == [
            f"{mode}, {n} sessions{suffix}"
            for mode in (_SPENDING_MODES[0], _SPENDING_MODES[2])
            for n in (1, 2, 4, 8, 16)
        ]
    # The target at 8 sessions: recordings, and holds with their settlements.
    assert [f.case for f in conc.figures if f.target is not None] == [
        f"{_SPENDING_MODES[0]}, 8 sessions",
        f"{_SPENDING_MODES[2]}, 8 sessions",
    ]
    overshoot = [c for c in conc.checks if c.name.startswith("zero overshoot")]
    assert len(overshoot) == 20
    assert all(c.passed for c in overshoot), [c.detail for c in overshoot if not c.passed]


def test_history_times_recording_and_holds_at_each_scale(tiny_report: RunReport) -> None:
    [history] = [r for r in tiny_report.results if r.name == "recording_vs_history"]
    scale = tiny_report.scale
    assert [(f.case, f.metric) for f in history.figures] == [
        (case, metric)
        for case in (f"record_usage at {scale}", f"hold then settle at {scale}")
        for metric in ("p50_ms", "p99_ms")
    ]


def test_writing_benchmarks_leave_no_writer_behind(
    tiny_report: RunReport, local_stack: LocalStack
) -> None:
    """Concurrency, API path, model access: each removes its writers and what they wrote."""
    assert writers_left_since(local_stack, tiny_report.started_at) == (0, 0, 0)


def test_the_seed_settles_the_last_days_calls_as_holds(
    tiny_report: RunReport, local_stack: LocalStack
) -> None:
    """As the model access service leaves them (ended holds are kept a day), so the holds
    table is analyzed with rows in it, as in production."""
    database = BenchDatabase(local_stack, Scale.TINY, Shape.WIDE)
    info = read_seed_info(database)
    assert info is not None
    with psycopg.connect(database.owner_url) as conn:
        row = conn.execute(
            "select count(*) filter (where r.status = 'settled'"
            "   and r.tokens_settled = u.tokens_used and r.organization_id = u.organization_id),"
            " count(*)"
            " from public.ai_model_usage u"
            " left join public.usage_reservations r on r.usage_id = u.id"
            " where u.created_at >= %(anchor)s - interval '1 day' and u.created_at <= %(anchor)s",
            {"anchor": info.anchor},
        ).fetchone()
    assert row is not None
    settled, last_day = int(row[0]), int(row[1])
    assert last_day > 0  # not vacuous
    assert settled == last_day


def test_usage_report_and_paging_agree_and_both_are_timed(tiny_report: RunReport) -> None:
    [report] = [r for r in tiny_report.results if r.name == "usage_report"]
    assert [check.passed for check in report.checks] == [True], report.checks
    assert [f.metric for f in report.figures] == ["p50_ms", "p99_ms"]


def test_developer_loop_times_cold_warm_and_reset(tiny_report: RunReport) -> None:
    [loop] = [r for r in tiny_report.results if r.name == "devloop"]
    assert [f.case.split(" (")[0] for f in loop.figures] == [
        "cold stack up",
        "warm stack up",
        "db reset",
    ]


def test_json_report_carries_ratios_and_verdicts(tiny_report: RunReport) -> None:
    data = json.loads(report_json(tiny_report))
    assert data["scale"] == "tiny" and data["machine"]["cpus"] >= 1
    figure = data["results"][0]["figures"][0]
    assert {"case", "metric", "value", "limit", "ratio", "target", "met"} <= figure.keys()
    assert {"targets_met", "checks_passed", "plans"} <= data["results"][0].keys()


def test_bench_run_cli_writes_json(
    local_stack: LocalStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMODELS_STACK_DIR", str(local_stack.settings.devstack_dir))
    monkeypatch.setenv("AIMODELS_ENV_FILE", str(tmp_path / ".env"))
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "run",
            "--scale",
            "tiny",
            "--seed",
            "7",
            "--only",
            "history",
            "--no-plans",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert [r["name"] for r in data["results"]] == ["recording_vs_history"]
    assert Benchmark.HISTORY.value == "history"


@pytest.mark.parametrize("shape", [Shape.HEAVY, Shape.SKEWED])
def test_hot_reads_run_over_every_shape_without_a_usage_seq_scan(
    local_stack: LocalStack, shape: Shape
) -> None:
    console = Console(file=io.StringIO(), width=200)
    report = run_benchmarks(
        local_stack, scale=Scale.TINY, seed=7, shape=shape, only=[Benchmark.RLS], console=console
    )
    assert report.shape == shape
    [result] = report.results
    assert result.figures, "the hot reads report figures in this shape too"
    usage_scans = [p.query for p in result.plans if "ai_model_usage" in p.seq_scanned]
    assert not usage_scans, f"no plan seq-scans the usage log: {usage_scans}"
    assert result.checks_passed, [c for c in result.checks if not c.passed]
