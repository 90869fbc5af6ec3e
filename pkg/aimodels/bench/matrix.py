"""Many saved runs as one table: each target's ratio per scale and shape (BENCHMARKS.md).

A run measures one scale in one shape; the question a reader has is how each target fares
across all of them. Rows are the figures that have a target and the run's own checks;
columns are the scale x shape pairs the given reports cover, smallest scale first.
"""

from __future__ import annotations

from collections.abc import Iterable

from aimodels.bench.report import Figure, Goal, RunReport
from aimodels.bench.scales import Scale, Shape

_SCALE_ORDER = [Scale.TINY, Scale.SMALL, Scale.MEDIUM, Scale.LARGE]
_SHAPE_ORDER = [Shape.WIDE, Shape.HEAVY, Shape.SKEWED]

Column = tuple[str, str]  # (scale, shape)


class MatrixError(ValueError):
    """Two reports claim the same scale and shape: the table would hide one of them."""


def _column_order(column: Column) -> tuple[int, int]:
    scale, shape = column
    return (_SCALE_ORDER.index(Scale(scale)), _SHAPE_ORDER.index(Shape(shape)))


def _target_label(figure: Figure) -> str:
    sign = "<=" if figure.goal is Goal.AT_MOST else ">="
    return f"{sign} {figure.target:g}"


def targets_matrix(reports: Iterable[RunReport]) -> str:
    """A Markdown table: one row per target or check, one column per scale x shape."""
    by_column: dict[Column, RunReport] = {}
    for report in reports:
        column = (report.scale, report.shape)
        if column in by_column:
            raise MatrixError(f"two reports for scale {report.scale}, shape {report.shape}")
        by_column[column] = report
    columns = sorted(by_column, key=_column_order)
    # Row key -> cell per column, in first-seen order so benchmarks keep their run order.
    rows: dict[str, dict[Column, str]] = {}
    for column in columns:
        for result in by_column[column].results:
            for figure in result.figures:
                if figure.target is None:
                    continue
                key = f"{result.title}: {figure.case}, {figure.metric} {_target_label(figure)}"
                cell = f"{figure.ratio:.2f}"
                rows.setdefault(key, {})[column] = cell if figure.met else f"**{cell}**"
            for check in result.checks:
                key = f"{result.title}: {check.name}"
                rows.setdefault(key, {})[column] = "pass" if check.passed else "**fail**"
    header = ["target or check", *(f"{scale} {shape}" for scale, shape in columns)]
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    for key, cells in rows.items():
        lines.append(
            "| " + " | ".join([key, *(cells.get(column, "-") for column in columns)]) + " |"
        )
    return "\n".join(lines)
