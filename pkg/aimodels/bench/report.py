"""What a benchmark run produces: figures as ratios to their limits, checks, plans.

The same value renders as rich tables for people and as JSON for machines.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.table import Table


class Goal(StrEnum):
    """Whether a ratio must stay at or below its target (a cost) or reach it (a rate)."""

    AT_MOST = "at_most"
    AT_LEAST = "at_least"


class Figure(BaseModel):
    """One measured value next to its limit from the same run, and the target for the ratio."""

    model_config = ConfigDict(frozen=True)

    case: str
    metric: str  # p50_ms, p99_ms, rows_per_s, requests_per_s, seconds
    value: float
    limit: float
    limit_label: str
    target: float | None = None
    goal: Goal = Goal.AT_MOST

    @property
    def ratio(self) -> float:
        return self.value / self.limit if self.limit else float("inf")

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.goal is Goal.AT_MOST:
            return self.ratio <= self.target
        return self.ratio >= self.target


class Check(BaseModel):
    """A pass/fail property of the run (no seq scan, zero overshoot), never a timing."""

    model_config = ConfigDict(frozen=True)

    name: str
    passed: bool
    detail: str = ""


class QueryPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    query: str
    actor: str
    sql: str
    plan: str
    seq_scanned: list[str] = Field(default_factory=list)


class BenchmarkResult(BaseModel):
    name: str
    title: str
    scale: str
    figures: list[Figure] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    plans: list[QueryPlan] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def targets_met(self) -> bool:
        return all(f.met is not False for f in self.figures)

    @property
    def checks_passed(self) -> bool:
        return all(c.passed for c in self.checks)


class Machine(BaseModel):
    model_config = ConfigDict(frozen=True)

    cpus: int
    memory_gb: float
    postgres: str
    python: str
    platform: str


class RunReport(BaseModel):
    started_at: datetime
    finished_at: datetime | None = None
    scale: str
    shape: str = "wide"
    seed: int
    machine: Machine
    results: list[BenchmarkResult] = Field(default_factory=list)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    @property
    def checks_passed(self) -> bool:
        return all(r.checks_passed for r in self.results)


def figure_json(figure: Figure) -> dict[str, object]:
    """Figures carry derived fields (ratio, met) in JSON so machines need no arithmetic."""
    return {**figure.model_dump(mode="json"), "ratio": figure.ratio, "met": figure.met}


def report_json(report: RunReport) -> str:
    import json

    data = report.model_dump(mode="json")
    for result, raw in zip(report.results, data["results"], strict=True):
        raw["figures"] = [figure_json(f) for f in result.figures]
        raw["targets_met"] = result.targets_met
        raw["checks_passed"] = result.checks_passed
    data["checks_passed"] = report.checks_passed
    return json.dumps(data, indent=2)


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def _target_cell(figure: Figure) -> str:
    if figure.target is None:
        return ""
    sign = "<=" if figure.goal is Goal.AT_MOST else ">="
    return f"{sign} {figure.target:g}"


def _met_cell(figure: Figure) -> str:
    if figure.met is None:
        return ""
    return "[green]yes[/green]" if figure.met else "[red]no[/red]"


def render_result(console: Console, result: BenchmarkResult, *, show_plans: bool) -> None:
    table = Table(title=f"{result.title} ({result.scale})", title_justify="left")
    for column in ("case", "metric", "value", "limit", "limit is", "ratio", "target", "met"):
        table.add_column(
            column, justify="right" if column in {"value", "limit", "ratio"} else "left"
        )
    for figure in result.figures:
        table.add_row(
            figure.case,
            figure.metric,
            _fmt(figure.value),
            _fmt(figure.limit),
            figure.limit_label,
            f"{figure.ratio:.2f}",
            _target_cell(figure),
            _met_cell(figure),
        )
    console.print(table)
    for check in result.checks:
        mark = "[green]PASS[/green]" if check.passed else "[red]FAIL[/red]"
        console.print(f"  {mark} {check.name}" + (f": {check.detail}" if check.detail else ""))
    for note in result.notes:
        console.print(f"  [dim]{note}[/dim]")
    if show_plans:
        for plan in result.plans:
            console.rule(f"[bold]{plan.query}[/bold] as {plan.actor}", align="left")
            console.print(plan.sql, markup=False, highlight=False)
            console.print(plan.plan, markup=False, highlight=False)


def report_markdown(report: RunReport, *, plans: bool = True) -> str:
    """The tables (and plans) as Markdown, for BENCHMARKS.md."""
    m = report.machine
    lines = [
        f"Scale `{report.scale}`, shape `{report.shape}`, seed {report.seed},"
        f" {report.started_at:%Y-%m-%d %H:%M} UTC; "
        f"{m.cpus} CPUs, {m.memory_gb} GB, PostgreSQL {m.postgres}, Python {m.python}.",
        "",
    ]
    for result in report.results:
        lines += [
            f"#### {result.title} ({result.scale}, {report.shape})",
            "",
            "| case | metric | value | limit | limit is | ratio | target | met |",
            "| --- | --- | ---: | ---: | --- | ---: | --- | --- |",
        ]
        for f in result.figures:
            met = "" if f.met is None else ("yes" if f.met else "**no**")
            lines.append(
                f"| {f.case} | {f.metric} | {_fmt(f.value)} | {_fmt(f.limit)} | {f.limit_label}"
                f" | {f.ratio:.2f} | {_target_cell(f)} | {met} |"
            )
        lines.append("")
        for check in result.checks:
            mark = "PASS" if check.passed else "**FAIL**"
            detail = f": {check.detail}" if check.detail else ""
            lines.append(f"- {mark} {check.name}{detail}")
        lines += [f"- {note}" for note in result.notes]
        lines.append("")
        if plans:
            for plan in result.plans:
                lines += [
                    f"<details><summary>{plan.query}, as {plan.actor}</summary>",
                    "",
                    "```sql",
                    plan.sql,
                    "```",
                    "",
                    "```",
                    plan.plan,
                    "```",
                    "",
                    "</details>",
                    "",
                ]
    return "\n".join(lines)
