"""What makes `bench run` fail: a plan that scans the usage log, or a check that failed.

Targets (ratios) are reported, never failed: timings move with the machine. These gates are
properties of the run instead: every plan a benchmark collected is checked here by the
tables its EXPLAIN found seq-scanned, whatever check that benchmark made of them itself, so a
benchmark that forgets its own check is still caught;
and every failed check (an overshoot or wrong counter in a recording or concurrency run, a
result that differs from the owner's) fails the run.
"""

from __future__ import annotations

from aimodels.bench.plans import USAGE_TABLE
from aimodels.bench.report import RunReport


class BenchGateFailed(RuntimeError):
    """The run measured something that must never happen; the message lists each one."""


def gate_failures(report: RunReport) -> list[str]:
    """One line per problem, in run order: seq scans of the usage log, then failed checks."""
    problems: list[str] = []
    for result in report.results:
        problems += [
            f"{result.name}: the plan of '{plan.query}' as {plan.actor} scans {USAGE_TABLE}"
            " sequentially"
            for plan in result.plans
            if USAGE_TABLE in plan.seq_scanned
        ]
        problems += [
            f"{result.name}: check failed: {check.name}"
            + (f" ({check.detail})" if check.detail else "")
            for check in result.checks
            if not check.passed
        ]
    return problems


def enforce_gates(report: RunReport) -> None:
    """Raise BenchGateFailed naming every problem (the CLI prints it as one line, exit 1)."""
    problems = gate_failures(report)
    if problems:
        raise BenchGateFailed(f"benchmark gate failed ({len(problems)}): " + "; ".join(problems))
