"""The query-string grammar (PostgREST's ApiRequest/QueryParams.hs), parsed into rest.types.

Errors are PGRST100 with PostgREST's message shape:
`"failed to parse filter (v)" (line 1, column N)` and details `unexpected ... expecting ...`.
The parser is a small recursive descent over one string; `_Cursor` tracks the position so the
column in the message is the one PostgREST reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar
from urllib.parse import quote, unquote_plus

from aimodels.gateway.rest.errors import query_param_error
from aimodels.gateway.rest.types import (
    Aggregate,
    EmbedPath,
    FieldRef,
    Filter,
    FtsOp,
    FtsOperator,
    InOp,
    IsDistinctOp,
    IsOp,
    IsValue,
    JoinType,
    JsonArrow,
    JsonOperation,
    LogicExpr,
    LogicTree,
    Operation,
    OpExpr,
    OrderDirection,
    OrderNulls,
    OrderTerm,
    Quantifier,
    QuantOp,
    QuantOperator,
    QueryParams,
    Range,
    SelectField,
    SelectItem,
    SelectRelation,
    SimpleOp,
    SimpleOperator,
)

FIELD_NAME = "field name (* or [a..z0..9_$])"
OPERATOR = "operator (eq, gt, ...)"
JSON_KEY = "any non reserved character different from: .,>()"
IS_VALUES = "isVal: (null, not_null, true, false, unknown)"
T = TypeVar("T")
RESERVED = ("select", "columns", "on_conflict")
RESERVED_EMBEDDABLE = ("order", "limit", "offset", "and", "or")

# Longest first, so `gte` wins over `gt` (PostgREST tries them in this order too).
_QUANT_OPERATORS = ("eq", "gte", "gt", "lte", "lt", "like", "ilike", "match", "imatch")
_SIMPLE_OPERATORS = ("neq", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj")
_FTS_OPERATORS = ("fts", "plfts", "phfts", "wfts")


@dataclass(slots=True)
class ParseFailure(Exception):
    """Where and why the grammar failed; turned into PGRST100 by the caller."""

    index: int
    unexpected: str
    expecting: tuple[str, ...] = ()

    def details(self) -> str:
        text = f"unexpected {self.unexpected}"
        if self.expecting:
            items = list(dict.fromkeys(self.expecting))
            listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
            text += f" expecting {listed}"
        return text


def _shown(char: str | None, *, single: bool = False) -> str:
    if char is None:
        return "end of input"
    return f"'{char}'" if single else f'"{char}"'


class _Cursor:
    """A position in the text being parsed, with the primitives the grammar needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self, offset: int = 0) -> str | None:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else None

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def startswith(self, prefix: str) -> bool:
        return self.text.startswith(prefix, self.pos)

    def take(self, prefix: str) -> bool:
        if self.startswith(prefix):
            self.pos += len(prefix)
            return True
        return False

    def skip_spaces(self) -> None:
        while self.peek() in (" ", "\t"):
            self.pos += 1

    def fail(self, *expecting: str, single: bool = False) -> ParseFailure:
        return ParseFailure(self.pos, _shown(self.peek(), single=single), expecting)

    def mismatch(self, word: str, *expecting: str) -> ParseFailure:
        """Failure of matching `word` here: PostgREST shows the first differing character."""
        for i, expected_char in enumerate(word):
            actual = self.peek(i)
            if actual != expected_char:
                return ParseFailure(self.pos, _shown(actual), expecting)
        return self.fail(*expecting)


def _is_identifier_char(char: str | None) -> bool:
    return char is not None and (char.isalnum() or char in "_ $")


# ---------------------------------------------------------------------------
# Names and JSON paths
# ---------------------------------------------------------------------------


def _quoted(cur: _Cursor) -> str:
    """`"..."` with backslash escapes; the cursor is on the opening quote."""
    cur.pos += 1
    out: list[str] = []
    while True:
        char = cur.peek()
        if char is None:
            raise cur.fail('"')
        cur.pos += 1
        if char == '"':
            return "".join(out)
        if char == "\\":
            escaped = cur.peek()
            if escaped is None:
                raise cur.fail()
            out.append(escaped)
            cur.pos += 1
        else:
            out.append(char)


def _dash_separated(cur: _Cursor, accepts: object, expecting: str) -> str:
    """Words joined by `-` (a `-` followed by `>` starts a JSON arrow instead)."""
    is_char = accepts if callable(accepts) else None
    parts: list[str] = []
    while True:
        start = cur.pos
        while is_char is not None and is_char(cur.peek()):
            cur.pos += 1
        if cur.pos == start:
            raise cur.fail(*(['"-"'] if parts else []), expecting)
        parts.append(cur.text[start : cur.pos].strip())
        if cur.peek() == "-" and cur.peek(1) != ">":
            cur.pos += 1
            continue
        return "-".join(parts)


def parse_field_name(cur: _Cursor) -> str:
    if cur.peek() == '"':
        return _quoted(cur)
    if not _is_identifier_char(cur.peek()):
        raise cur.fail(FIELD_NAME)
    return _dash_separated(cur, _is_identifier_char, FIELD_NAME)


def _is_json_key_char(char: str | None) -> bool:
    return char is not None and char not in "(-:.,>)"


def _json_path(cur: _Cursor) -> tuple[JsonOperation, ...]:
    ops: list[JsonOperation] = []
    while True:
        if cur.take("->>"):
            arrow = JsonArrow.DOUBLE_ARROW
        elif cur.take("->"):
            arrow = JsonArrow.ARROW
        else:
            return tuple(ops)
        ops.append(_json_operand(cur, arrow))


def _json_operand(cur: _Cursor, arrow: JsonArrow) -> JsonOperation:
    start = cur.pos
    sign = "-" if cur.peek() == "-" else "+"
    probe = cur.pos + (1 if sign == "-" else 0)
    end = probe
    while end < len(cur.text) and cur.text[end].isdigit():
        end += 1
    if end > probe:
        rest = cur.text[end:]
        if rest == "" or rest.startswith(("->", "::", ".", ",")):
            cur.pos = end
            return JsonOperation(arrow, sign + cur.text[probe:end], is_index=True)
    if sign == "-" and end == probe and cur.peek(1) is not None:
        # `->-x`: a negative index needs digits.
        cur.pos = probe
        raise cur.fail("digit")
    cur.pos = start
    if cur.peek() == '"':
        return JsonOperation(arrow, _quoted(cur))
    if not _is_json_key_char(cur.peek()):
        raise cur.fail('"-"', "digit", JSON_KEY)
    return JsonOperation(arrow, _dash_separated(cur, _is_json_key_char, JSON_KEY))


def parse_field(cur: _Cursor) -> FieldRef:
    cur.skip_spaces()
    name = parse_field_name(cur)
    path = _json_path(cur)
    cur.skip_spaces()
    return FieldRef(name, path)


def _identifier(cur: _Cursor, *expecting: str) -> str:
    start = cur.pos
    while _is_identifier_char(cur.peek()):
        cur.pos += 1
    if cur.pos == start:
        raise cur.fail(*expecting, "letter or digit")
    return cur.text[start : cur.pos].strip()


# ---------------------------------------------------------------------------
# select=
# ---------------------------------------------------------------------------

_FIELD_END = ('"->>"', '"->"', '"::"', '"."', '")"', '","', "end of input")


def _at_item_end(cur: _Cursor) -> bool:
    return cur.at_end() or cur.peek() in (",", ")")


def _embed_params(cur: _Cursor) -> tuple[str | None, JoinType | None]:
    hint: str | None = None
    join: JoinType | None = None
    for _ in range(2):
        if cur.peek() != "!":
            break
        cur.pos += 1
        if cur.take("inner"):
            join = JoinType.INNER
        elif cur.take("left"):
            join = JoinType.LEFT
        else:
            hint = parse_field_name(cur)
    return hint, join


def _alias_prefix(cur: _Cursor) -> str | None:
    """`alias:` (but not a `::` cast); restores the position when absent."""
    start = cur.pos
    try:
        name = parse_field_name(cur)
    except ParseFailure:
        cur.pos = start
        return None
    if cur.peek() == ":" and cur.peek(1) != ":":
        cur.pos += 1
        return name
    cur.pos = start
    return None


def _select_item(cur: _Cursor) -> SelectItem:
    cur.skip_spaces()
    start = cur.pos
    if cur.take("..."):
        name = parse_field_name(cur)
        hint, join = _embed_params(cur)
        if cur.peek() != "(":
            raise cur.fail('"("')
        children = _select_children(cur)
        return SelectRelation(name, children, None, hint, join, spread=True)

    alias = _alias_prefix(cur)
    relation_start = cur.pos
    try:
        name = parse_field_name(cur)
        hint, join = _embed_params(cur)
        if cur.peek() == "(" and name != "count":
            children = _select_children(cur)
            return SelectRelation(name, children, alias, hint, join)
    except ParseFailure:
        pass
    cur.pos = relation_start

    if alias is None and cur.peek() == "*":
        cur.pos += 1
        cur.skip_spaces()
        if not _at_item_end(cur):
            raise cur.fail('")"', '","', "end of input", single=True)
        return SelectField(FieldRef("*"))

    if cur.take("count()"):
        agg_cast = _identifier(cur) if cur.take("::") else None
        cur.skip_spaces()
        if not _at_item_end(cur):
            raise cur.fail('"::"', '")"', '","', "end of input", single=True)
        return SelectField(FieldRef("*"), alias, None, Aggregate.COUNT, agg_cast)

    if cur.pos == start and not (cur.peek() == '"' or _is_identifier_char(cur.peek())):
        raise cur.fail(FIELD_NAME)
    field = parse_field(cur)
    cast = _identifier(cur) if cur.take("::") else None
    aggregate: Aggregate | None = None
    if cur.peek() == ".":
        for agg in Aggregate:
            if cur.startswith(f".{agg.value}()"):
                cur.pos += len(agg.value) + 3
                aggregate = agg
                break
    agg_cast = _identifier(cur) if aggregate is not None and cur.take("::") else None
    cur.skip_spaces()
    if not _at_item_end(cur):
        raise cur.fail("letter", "digit", '"-"', *_FIELD_END, single=True)
    return SelectField(field, alias, cast, aggregate, agg_cast)


def _select_children(cur: _Cursor) -> tuple[SelectItem, ...]:
    cur.pos += 1  # "("
    items = _select_forest(cur)
    if cur.peek() != ")":
        raise cur.fail('")"', '","')
    cur.pos += 1
    cur.skip_spaces()
    return items


def _select_forest(cur: _Cursor) -> tuple[SelectItem, ...]:
    items: list[SelectItem] = []
    cur.skip_spaces()
    if cur.at_end() or cur.peek() == ")":
        return ()
    while True:
        items.append(_select_item(cur))
        cur.skip_spaces()
        if cur.peek() == ",":
            cur.pos += 1
            continue
        return tuple(items)


def parse_select(text: str) -> tuple[SelectItem, ...]:
    cur = _Cursor(text)
    items = _select_forest(cur)
    if not cur.at_end():
        raise cur.fail('","', "end of input")
    return items


# ---------------------------------------------------------------------------
# Operators (filter values)
# ---------------------------------------------------------------------------


def _list_values(cur: _Cursor) -> tuple[str, ...]:
    cur.skip_spaces()
    if cur.peek() != "(":
        raise cur.fail('"("')
    cur.pos += 1
    cur.skip_spaces()
    values: list[str] = []
    while True:
        values.append(_list_element(cur))
        if cur.peek() == ",":
            cur.pos += 1
            continue
        break
    cur.skip_spaces()
    if cur.peek() != ")":
        raise cur.fail('")"', '","')
    cur.pos += 1
    cur.skip_spaces()
    return tuple(values)


def _list_element(cur: _Cursor) -> str:
    if cur.peek() == '"':
        start = cur.pos
        try:
            value = _quoted(cur)
            if cur.peek() in (",", ")", None):
                return value
        except ParseFailure:
            pass
        cur.pos = start
    start = cur.pos
    while (char := cur.peek()) is not None and char not in ",)":
        cur.pos += 1
    return cur.text[start : cur.pos]


def _rest(cur: _Cursor) -> str:
    value = cur.text[cur.pos :]
    cur.pos = len(cur.text)
    return value


def _logic_value(cur: _Cursor) -> str:
    """A value inside and/or: quoted, a `{pg,array}`, or everything up to `,` or `)`."""
    if cur.peek() == '"':
        start = cur.pos
        try:
            value = _quoted(cur)
            if cur.peek() in (",", ")", None):
                return value
        except ParseFailure:
            pass
        cur.pos = start
    if cur.peek() == "{":
        end = cur.pos + 1
        while end < len(cur.text) and cur.text[end] not in "{}":
            end += 1
        if end < len(cur.text) and cur.text[end] == "}":
            value = cur.text[cur.pos : end + 1]
            cur.pos = end + 1
            return value
    start = cur.pos
    while (char := cur.peek()) is not None and char not in ",)":
        cur.pos += 1
    return cur.text[start : cur.pos]


def _delimiter(cur: _Cursor) -> None:
    if cur.peek() != ".":
        raise cur.fail("delimiter (.)")
    cur.pos += 1


def parse_op_expr(cur: _Cursor, *, in_logic: bool = False) -> OpExpr:
    value_of = _logic_value if in_logic else _rest
    start = cur.pos
    negated = False
    if cur.startswith("not."):
        cur.pos += 4
        negated = True
    op_start = cur.pos
    operation = _operation(cur, value_of)
    if operation is None:
        cur.pos = op_start
        if negated:
            raise cur.mismatch("in", OPERATOR)
        cur.pos = start
        raise cur.mismatch("not", '"not"', OPERATOR)
    return OpExpr(operation, negated)


def _operation(cur: _Cursor, value_of: object) -> Operation | None:
    read_value = value_of if callable(value_of) else _rest
    if cur.take("in."):
        return InOp(_list_values(cur))
    if cur.take("isdistinct."):
        return IsDistinctOp(read_value(cur))
    if cur.take("is."):
        return IsOp(_is_value(cur))
    for fts in _FTS_OPERATORS:
        saved = cur.pos
        if cur.take(fts):
            language: str | None = None
            if cur.peek() == "(":
                close = cur.text.find(")", cur.pos)
                candidate = cur.text[cur.pos + 1 : close] if close > 0 else ""
                if candidate and all(_is_identifier_char(c) for c in candidate):
                    language = candidate.strip()
                    cur.pos = close + 1
            if cur.take("."):
                return FtsOp(FtsOperator(fts), read_value(cur), language)
            cur.pos = saved
    for simple in _SIMPLE_OPERATORS:
        if cur.startswith(simple + "."):
            cur.pos += len(simple) + 1
            return SimpleOp(SimpleOperator(simple), read_value(cur))
    for quant in _QUANT_OPERATORS:
        saved = cur.pos
        if cur.take(quant):
            quantifier: Quantifier | None = None
            if cur.take("(any)"):
                quantifier = Quantifier.ANY
            elif cur.take("(all)"):
                quantifier = Quantifier.ALL
            if cur.take("."):
                return QuantOp(QuantOperator(quant), read_value(cur), quantifier)
            cur.pos = saved
    return None


def _is_value(cur: _Cursor) -> IsValue:
    lowered = cur.text[cur.pos :].lower()
    for value in (IsValue.NULL, IsValue.NOT_NULL, IsValue.TRUE, IsValue.FALSE, IsValue.UNKNOWN):
        if lowered.startswith(value.value):
            cur.pos += len(value.value)
            return value
    raise cur.mismatch("null", IS_VALUES)


def parse_filter_value(text: str) -> OpExpr:
    cur = _Cursor(text)
    expr = parse_op_expr(cur)
    if not cur.at_end():
        raise cur.fail("end of input", single=True)
    return expr


# ---------------------------------------------------------------------------
# order=
# ---------------------------------------------------------------------------


def _order_term(cur: _Cursor) -> OrderTerm:
    cur.skip_spaces()
    start = cur.pos
    relation: str | None = None
    try:
        name = parse_field_name(cur)
        if cur.peek() == "(":
            cur.pos += 1
            field = parse_field(cur)
            if cur.peek() != ")":
                raise cur.fail('")"')
            cur.pos += 1
            relation = name
        else:
            raise ParseFailure(cur.pos, "")
    except ParseFailure:
        cur.pos = start
        field = parse_field(cur)
    direction: OrderDirection | None = None
    nulls: OrderNulls | None = None
    for value in OrderDirection:
        if cur.startswith("." + value.value):
            cur.pos += len(value.value) + 1
            direction = value
            break
    for null_order in OrderNulls:
        if cur.startswith("." + null_order.value):
            cur.pos += len(null_order.value) + 1
            nulls = null_order
            break
    cur.skip_spaces()
    if not (cur.at_end() or cur.peek() == ","):
        if nulls is not None:
            raise cur.fail('","', "end of input", single=True)
        if cur.peek() == ".":
            cur.pos += 1
            if direction is None:
                raise cur.fail('"asc"', '"desc"', '"nullsfirst"', '"nullslast"')
            raise cur.fail('"nullsfirst"', '"nullslast"')
        raise cur.fail("delimiter (.)", '","', "end of input", single=True)
    return OrderTerm(field, direction, nulls, relation)


def parse_order(text: str) -> tuple[OrderTerm, ...]:
    cur = _Cursor(text)
    terms = [_order_term(cur)]
    while cur.peek() == ",":
        cur.pos += 1
        terms.append(_order_term(cur))
    if not cur.at_end():
        raise cur.fail('","', "end of input", single=True)
    return tuple(terms)


# ---------------------------------------------------------------------------
# and= / or=
# ---------------------------------------------------------------------------


def _logic_tree(cur: _Cursor) -> LogicTree:
    start = cur.pos
    try:
        field = parse_field(cur)
        _delimiter(cur)
        return Filter(field, parse_op_expr(cur, in_logic=True))
    except ParseFailure as failure:
        statement_failure = failure
    cur.pos = start
    negated = cur.take("not.")
    if cur.take("and"):
        operator = "and"
    elif cur.take("or"):
        operator = "or"
    else:
        if cur.pos == start and statement_failure.index > start:
            raise statement_failure
        expecting: tuple[str, ...] = (
            FIELD_NAME,
            "negation operator (not)",
            "logic operator (and, or)",
        )
        if negated:
            expecting = ("logic operator (and, or)",)
        raise cur.fail(*expecting)
    cur.skip_spaces()
    if cur.peek() != "(":
        raise cur.fail('"("')
    cur.pos += 1
    cur.skip_spaces()
    children = [_logic_tree(cur)]
    cur.skip_spaces()
    while cur.peek() == ",":
        cur.pos += 1
        cur.skip_spaces()
        children.append(_logic_tree(cur))
        cur.skip_spaces()
    if cur.peek() != ")":
        raise cur.fail('")"', '","')
    cur.pos += 1
    cur.skip_spaces()
    return LogicExpr(operator, tuple(children), negated)


def parse_logic(operator_key: str, value: str) -> LogicExpr:
    """`or=(a.eq.1,b.gt.2)`: PostgREST parses the key's operator and the value as one text."""
    text = operator_key + value
    cur = _Cursor(text)
    tree = _logic_tree(cur)
    if not cur.at_end() or not isinstance(tree, LogicExpr):
        raise cur.fail("end of input", single=True)
    return tree


# ---------------------------------------------------------------------------
# Paths of keys (`rel.col`, `rel.not.or`), columns and on_conflict
# ---------------------------------------------------------------------------


def parse_tree_path(text: str) -> tuple[EmbedPath, FieldRef]:
    cur = _Cursor(text)
    names = [parse_field_name(cur)]
    while cur.peek() == ".":
        cur.pos += 1
        names.append(parse_field_name(cur))
    path = _json_path(cur)
    if not cur.at_end():
        raise cur.fail("end of input", single=True)
    return tuple(names[:-1]), FieldRef(names[-1], path)


def parse_logic_path(text: str) -> tuple[EmbedPath, str]:
    cur = _Cursor(text)
    names = [parse_field_name(cur)]
    while cur.peek() == ".":
        cur.pos += 1
        names.append(parse_field_name(cur))
    if not cur.at_end():
        raise cur.fail("end of input", single=True)
    operator = names[-1]
    negated = "not" in names
    path = tuple(n for n in names[:-1] if n != "not")
    return path, ("not." + operator) if negated else operator


def parse_columns(text: str) -> tuple[str, ...]:
    cur = _Cursor(text)
    names: list[str] = []
    while True:
        cur.skip_spaces()
        names.append(parse_field_name(cur))
        cur.skip_spaces()
        if cur.peek() == ",":
            cur.pos += 1
            continue
        break
    if not cur.at_end():
        raise cur.fail('","', "end of input", single=True)
    return tuple(names)


# ---------------------------------------------------------------------------
# The whole query string
# ---------------------------------------------------------------------------


def _guard(kind: str, text: str, parse: Callable[[str], T]) -> T:
    """Run one parser; a failure becomes PostgREST's PGRST100 for that parameter."""
    try:
        return parse(text)
    except ParseFailure as failure:
        raise query_param_error(
            f'"failed to parse {kind} ({text})" (line 1, column {failure.index + 1})',
            failure.details(),
        ) from None
    except RecursionError:
        # Nesting deeper than the parser's stack: refused as unparsable, never a 500.
        raise query_param_error(
            f'"failed to parse {kind} ({text[:100]}...)" (line 1, column 1)',
            "nesting too deep",
        ) from None


def _last_word(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def split_query(query_string: str) -> list[tuple[str, str | None]]:
    """Split `a=1&b&c=` into pairs, `+` as space; a key without `=` has no value."""
    pairs: list[tuple[str, str | None]] = []
    for part in query_string.split("&"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value) if sep else None))
    return pairs


def parse_query(query_string: str, *, rpc_read: bool = False) -> QueryParams:
    """Parse a raw query string; with rpc_read, `k=v` without an operator is an argument."""
    raw_pairs = split_query(query_string)
    pairs = [(k, v) for k, v in raw_pairs if v is not None]
    select_text = next((v for k, v in pairs if k == "select"), None)
    select = (
        (SelectField(FieldRef("*")),)
        if select_text is None
        else _guard("select parameter", select_text, parse_select)
    )
    columns_text = next((v for k, v in pairs if k == "columns"), None)
    columns = (
        None if columns_text is None else _guard("columns parameter", columns_text, parse_columns)
    )
    conflict_text = next((v for k, v in pairs if k == "on_conflict"), None)
    on_conflict = (
        None
        if conflict_text is None
        else _guard("on_conflict parameter", conflict_text, parse_columns)
    )

    filters: list[tuple[EmbedPath, Filter]] = []
    rpc_params: list[tuple[str, str]] = []
    logic: list[tuple[EmbedPath, LogicExpr]] = []
    order: list[tuple[EmbedPath, tuple[OrderTerm, ...]]] = []
    limits: dict[EmbedPath, int | None] = {}
    offsets: dict[EmbedPath, int | None] = {}
    for key, value in pairs:
        if key in RESERVED:
            continue
        last = _last_word(key)
        if last in ("and", "or"):
            path, operator = _guard("logic path", key, parse_logic_path)
            tree = _guard("logic tree", value, partial(parse_logic, operator))
            logic.append((path, tree))
        elif last == "order":
            path = _guard("tree path", key, parse_tree_path)[0]
            order.append((path, _guard("order", value, parse_order)))
        elif last in ("limit", "offset"):
            path = _guard("tree path", key, parse_tree_path)[0]
            (limits if last == "limit" else offsets)[path] = _int_or_none(value)
        else:
            path, field = _guard("tree path", key, parse_tree_path)
            if rpc_read:
                try:
                    expr = parse_filter_value(value)
                except ParseFailure:
                    rpc_params.append((key, value))
                    continue
                filters.append((path, Filter(field, expr)))
            else:
                filters.append((path, Filter(field, _guard("filter", value, parse_filter_value))))

    ranges: dict[EmbedPath, Range] = {}
    for path in {**limits, **offsets}:
        ranges[path] = Range(max(offsets.get(path) or 0, 0), limits.get(path))
    canonical = "&".join(
        f"{quote(k, safe='')}={quote(v or '', safe='')}"
        for k, v in sorted(raw_pairs, key=lambda kv: kv[0])
    )
    return QueryParams(
        select=select,
        filters=tuple(filters),
        logic=tuple(logic),
        order=tuple(order),
        ranges=ranges,
        columns=columns,
        on_conflict=on_conflict,
        rpc_params=tuple(rpc_params),
        canonical=canonical,
    )
