"""Many saved runs as one table: each target's ratio per scale and shape (BENCHMARKS.md).

A run measures one scale in one shape; the question a reader has is how each target fares
across all of them. Rows are the figures that have a target and the run's own checks;
columns are the scale x shape pairs the given reports cover, smallest scale first. Given
an earlier round's reports too, each cell shows the earlier figure beside the new one, so
a regenerated table keeps what it replaces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aimodels.bench.report import Figure, Goal, RunReport
from aimodels.bench.scales import Scale, Shape

_SCALE_ORDER = [Scale.TINY, Scale.SMALL, Scale.MEDIUM, Scale.LARGE]
_SHAPE_ORDER = [Shape.WIDE, Shape.HEAVY, Shape.SKEWED]

Column = tuple[str, str]  # (scale, shape)


class MatrixError(ValueError):
    """Two reports claim the same scale and shape: the table would hide one of them."""


@dataclass(frozen=True)
class _Cell:
    text: str  # a ratio ("1.10") or a check's outcome ("pass", "fail")
    met: bool


# Row key -> its cell per column.
_Rows = dict[str, dict[Column, _Cell]]


def _column_order(column: Column) -> tuple[int, int]:
    scale, shape = column
    return (_SCALE_ORDER.index(Scale(scale)), _SHAPE_ORDER.index(Shape(shape)))


def _target_label(figure: Figure) -> str:
    sign = "<=" if figure.goal is Goal.AT_MOST else ">="
    return f"{sign} {figure.target:g}"


def _by_column(reports: Iterable[RunReport]) -> dict[Column, RunReport]:
    by_column: dict[Column, RunReport] = {}
    for report in reports:
        column = (report.scale, report.shape)
        if column in by_column:
            raise MatrixError(f"two reports for scale {report.scale}, shape {report.shape}")
        by_column[column] = report
    return by_column


def _rows(by_column: dict[Column, RunReport], columns: list[Column]) -> _Rows:
    """Each target's and check's cells, rows in first-seen order so benchmarks keep their
    run order."""
    rows: _Rows = {}
    for column in columns:
        for result in by_column[column].results:
            for figure in result.figures:
                if figure.target is None:
                    continue
                key = f"{result.title}: {figure.case}, {figure.metric} {_target_label(figure)}"
                met = figure.met is True  # a figure with a target is met or not, never None
                rows.setdefault(key, {})[column] = _Cell(f"{figure.ratio:.2f}", met)
            for check in result.checks:
                key = f"{result.title}: {check.name}"
                outcome = "pass" if check.passed else "fail"
                rows.setdefault(key, {})[column] = _Cell(outcome, check.passed)
    return rows


def _earlier_rows(before: Iterable[RunReport]) -> _Rows:
    """The earlier round's cells. Its figures may come from several partial runs of one
    scale and shape (`--only`), or from rounds that each ran part of the benchmarks: for a
    cell more than one report gives, the latest run's figure is the one shown."""
    merged: _Rows = {}
    for report in sorted(before, key=lambda r: r.started_at):
        column = (report.scale, report.shape)
        for key, cells in _rows({column: report}, [column]).items():
            merged.setdefault(key, {}).update(cells)
    return merged


def _shown(cell: _Cell | None, earlier: _Cell | None) -> str:
    if cell is None:
        return "-"
    text = cell.text if cell.met else f"**{cell.text}**"
    return f"{text} ({earlier.text})" if earlier is not None else text


def targets_matrix(reports: Iterable[RunReport], before: Iterable[RunReport] = ()) -> str:
    """A Markdown table: one row per target or check, one column per scale x shape, and how
    many of the runs that measured it met it. With `before`, each cell reads `now
    (before)`; the columns and rows are the new reports'. The earlier round may be several
    partial runs per scale and shape, the latest run's figure shown for each cell."""
    by_column = _by_column(reports)
    columns = sorted(by_column, key=_column_order)
    rows = _rows(by_column, columns)
    earlier = _earlier_rows(before)
    header = ["target or check", *(f"{scale} {shape}" for scale, shape in columns), "met"]
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- |" + " ---: |" * (len(columns) + 1),
    ]
    for key, cells in rows.items():
        shown = [_shown(cells.get(c), earlier.get(key, {}).get(c)) for c in columns]
        met = f"{sum(cell.met for cell in cells.values())} of {len(cells)}"
        lines.append("| " + " | ".join([key, *shown, met]) + " |")
    return "\n".join(lines)
