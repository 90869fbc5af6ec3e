"""The report's shape, shared by every format: per table, actors x operations, with counts.

Reports (console, HTML) only render this; they never regroup results themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aimodels.rls.cases import CRUD
from aimodels.rls.results import CaseResult


@dataclass
class Cell:
    """The cases of one actor on one table and operation."""

    results: list[CaseResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def failed(self) -> int:
        return sum(1 for result in self.results if not result.passed)


@dataclass
class TableGrid:
    table: str
    actors: list[str]
    operations: list[str]
    cells: dict[tuple[str, str], Cell]
    labels: dict[str, str]  # actor -> label

    def cell(self, actor: str, operation: str) -> Cell:
        return self.cells.get((actor, operation), Cell())


def build_grids(results: list[CaseResult], actor_order: list[str] | None = None) -> list[TableGrid]:
    """One grid per table, in the order tables first appear; CRUD first, then RPCs."""
    grids: dict[str, TableGrid] = {}
    for result in results:
        grid = grids.setdefault(result.table, TableGrid(result.table, [], [], {}, {}))
        if result.actor not in grid.actors:
            grid.actors.append(result.actor)
            grid.labels[result.actor] = actor_heading(result.actor, result.actor_label)
        if result.operation not in grid.operations:
            grid.operations.append(result.operation)
        grid.cells.setdefault((result.actor, result.operation), Cell()).results.append(result)
    rank = {actor: index for index, actor in enumerate(actor_order or [])}
    for grid in grids.values():
        grid.operations.sort(key=_operation_order)
        grid.actors.sort(key=lambda actor: rank.get(actor, len(rank)))
    return list(grids.values())


def actor_heading(actor: str, label: str) -> str:
    """The grid's row label: the name `--role` takes, then whom it signs in as."""
    return actor if label == actor else f"{actor} ({label})"


def _operation_order(operation: str) -> tuple[int, str]:
    return (CRUD.index(operation), "") if operation in CRUD else (len(CRUD), operation)
