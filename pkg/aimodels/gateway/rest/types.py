"""Typed values of the read grammar (PostgREST's ApiRequest/Types.hs, in Python).

Everything the query string can say is parsed into these frozen values once; later stages
(plan, SQL) never look at raw strings again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class JsonArrow(StrEnum):
    ARROW = "->"
    DOUBLE_ARROW = "->>"


@dataclass(frozen=True, slots=True)
class JsonOperation:
    """One `->key` / `->>0` step of a JSON path; an index is sent as an integer."""

    arrow: JsonArrow
    operand: str
    is_index: bool = False


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A column name plus an optional JSON path (`data->a->>b`)."""

    name: str
    json_path: tuple[JsonOperation, ...] = ()

    @property
    def last_json_key(self) -> str | None:
        """The output name PostgREST gives `data->a->>b` (`b`), or None without a path."""
        if not self.json_path:
            return None
        last = self.json_path[-1]
        if not last.is_index:
            return last.operand
        keys = [op.operand for op in self.json_path if not op.is_index]
        return keys[-1] if keys else self.name


class JoinType(StrEnum):
    INNER = "inner"
    LEFT = "left"


class Aggregate(StrEnum):
    SUM = "sum"
    AVG = "avg"
    COUNT = "count"
    MAX = "max"
    MIN = "min"


@dataclass(frozen=True, slots=True)
class SelectField:
    field: FieldRef
    alias: str | None = None
    cast: str | None = None
    aggregate: Aggregate | None = None
    aggregate_cast: str | None = None


@dataclass(frozen=True, slots=True)
class SelectRelation:
    """`alias:rel!hint!inner(children)`, or `...rel(children)` when spread."""

    relation: str
    children: tuple[SelectItem, ...]
    alias: str | None = None
    hint: str | None = None
    join_type: JoinType | None = None
    spread: bool = False


SelectItem = SelectField | SelectRelation


class SimpleOperator(StrEnum):
    NEQ = "neq"
    CS = "cs"
    CD = "cd"
    OV = "ov"
    SL = "sl"
    SR = "sr"
    NXR = "nxr"
    NXL = "nxl"
    ADJ = "adj"


class QuantOperator(StrEnum):
    EQ = "eq"
    GTE = "gte"
    GT = "gt"
    LTE = "lte"
    LT = "lt"
    LIKE = "like"
    ILIKE = "ilike"
    MATCH = "match"
    IMATCH = "imatch"


class Quantifier(StrEnum):
    ANY = "any"
    ALL = "all"


class IsValue(StrEnum):
    NULL = "null"
    NOT_NULL = "not_null"
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


class FtsOperator(StrEnum):
    FTS = "fts"
    PLFTS = "plfts"
    PHFTS = "phfts"
    WFTS = "wfts"


@dataclass(frozen=True, slots=True)
class SimpleOp:
    operator: SimpleOperator
    value: str


@dataclass(frozen=True, slots=True)
class QuantOp:
    operator: QuantOperator
    value: str
    quantifier: Quantifier | None = None


@dataclass(frozen=True, slots=True)
class InOp:
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IsOp:
    value: IsValue


@dataclass(frozen=True, slots=True)
class IsDistinctOp:
    value: str


@dataclass(frozen=True, slots=True)
class FtsOp:
    operator: FtsOperator
    value: str
    language: str | None = None


Operation = SimpleOp | QuantOp | InOp | IsOp | IsDistinctOp | FtsOp


@dataclass(frozen=True, slots=True)
class OpExpr:
    operation: Operation
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Filter:
    field: FieldRef
    expr: OpExpr


@dataclass(frozen=True, slots=True)
class LogicExpr:
    """`and(...)` / `not.or(...)`: children are filters or nested expressions."""

    operator: str  # "and" | "or"
    children: tuple[LogicTree, ...]
    negated: bool = False


LogicTree = Filter | LogicExpr


class OrderDirection(StrEnum):
    ASC = "asc"
    DESC = "desc"


class OrderNulls(StrEnum):
    FIRST = "nullsfirst"
    LAST = "nullslast"


@dataclass(frozen=True, slots=True)
class OrderTerm:
    """`col.desc.nullslast`, or `rel(col).asc` to order by a to-one embed's column."""

    field: FieldRef
    direction: OrderDirection | None = None
    nulls: OrderNulls | None = None
    relation: str | None = None


EmbedPath = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Range:
    """Rows offset..offset+limit-1; limit None means unbounded."""

    offset: int = 0
    limit: int | None = None

    @property
    def is_all(self) -> bool:
        return self.offset == 0 and self.limit is None

    def restrict(self, max_rows: int | None) -> Range:
        if max_rows is None or (self.limit is not None and self.limit <= max_rows):
            return self
        return Range(self.offset, max_rows)


@dataclass(frozen=True, slots=True)
class QueryParams:
    """The query string, parsed (PostgREST's QueryParams)."""

    select: tuple[SelectItem, ...] = (SelectField(FieldRef("*")),)
    filters: tuple[tuple[EmbedPath, Filter], ...] = ()
    logic: tuple[tuple[EmbedPath, LogicExpr], ...] = ()
    order: tuple[tuple[EmbedPath, tuple[OrderTerm, ...]], ...] = ()
    ranges: dict[EmbedPath, Range] = field(default_factory=dict)
    columns: tuple[str, ...] | None = None
    on_conflict: tuple[str, ...] | None = None
    # Plain `k=v` pairs without an operator: the arguments of a GET /rpc call.
    rpc_params: tuple[tuple[str, str], ...] = ()
    canonical: str = ""

    @property
    def root_filters(self) -> tuple[Filter, ...]:
        return tuple(f for path, f in self.filters if not path)

    @property
    def filter_field_names(self) -> frozenset[str]:
        return frozenset(f.field.name for path, f in self.filters if not path)
