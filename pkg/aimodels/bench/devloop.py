"""Benchmark 5, the developer loop: cold `stack up`, warm `stack up`, `db reset` (seconds).

A stack of its own in a new temporary folder, so "cold" really starts from nothing and the
developer's stack is never touched. The limit of each figure is its budget, set below.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aimodels.bench.ports import free_port
from aimodels.bench.report import BenchmarkResult, Figure
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackSettings

COLD_UP_BUDGET_S = 60.0
WARM_UP_BUDGET_S = 5.0
RESET_BUDGET_S = 10.0


def _seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _budget_figure(case: str, seconds: float, budget: float) -> Figure:
    return Figure(
        case=case,
        metric="seconds",
        value=seconds,
        limit=budget,
        limit_label="budget",
        target=1.0,
    )


def run_devloop(project_dir: Path, *, scale: str, with_tests: bool = False) -> BenchmarkResult:
    result = BenchmarkResult(name="devloop", title="5. Developer loop", scale=scale)
    folder = Path(tempfile.mkdtemp(prefix="aimodels-bench-devloop-"))
    settings = StackSettings(
        project_dir=project_dir,
        devstack_dir=folder / "devstack",
        env_file=None,
        preferred_db_port=free_port(),
        preferred_api_port=free_port(),
    )
    stack = LocalStack(settings)
    try:
        cold = _seconds(stack.up)
        stack.down()
        warm = _seconds(stack.up)
        reset = _seconds(stack.reset)
    finally:
        stack.destroy()
        shutil.rmtree(folder, ignore_errors=True)
    result.figures += [
        _budget_figure("cold stack up (from nothing)", cold, COLD_UP_BUDGET_S),
        _budget_figure("warm stack up (cluster exists, stopped)", warm, WARM_UP_BUDGET_S),
        _budget_figure("db reset (migrations + seed, gateway restart)", reset, RESET_BUDGET_S),
    ]
    if with_tests:
        started = time.perf_counter()
        completed = subprocess.run(
            [str(project_dir / "scripts" / "test"), "-q", "--ignore=tests/bench"],
            cwd=project_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        result.figures.append(
            Figure(
                case="full test command (./scripts/test, bench smoke excluded)",
                metric="seconds",
                value=elapsed,
                limit=elapsed,
                limit_label="no budget set",
            )
        )
        result.notes.append(f"./scripts/test exited {completed.returncode}")
    return result
