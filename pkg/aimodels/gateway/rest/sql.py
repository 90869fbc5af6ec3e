"""Plan -> SQL (PostgREST's Query/QueryBuilder.hs + Query/SqlFragment.hs).

Every identifier goes through psycopg.sql.Identifier and every value from the request is a
bound parameter (sent with an unknown type, so Postgres infers it from the column, as
PostgREST does). The only raw text spliced in comes from the catalog (column types) or from
the grammar's closed sets (operators, `::cast` names limited to [A-Za-z0-9_ $]).
The JSON body is built in SQL: json_agg over the rows, embeds as lateral subqueries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from psycopg import sql

from aimodels.gateway.rest.plan import (
    CallPlan,
    DeletePlan,
    InsertPlan,
    NullEmbedFilter,
    Plan,
    PlanLogic,
    ReadNode,
    UpdatePlan,
)
from aimodels.gateway.rest.schema_cache import Cardinality, QualifiedName, Routine, Table
from aimodels.gateway.rest.types import (
    FieldRef,
    Filter,
    FtsOp,
    FtsOperator,
    InOp,
    IsDistinctOp,
    IsOp,
    IsValue,
    LogicExpr,
    OrderDirection,
    OrderNulls,
    Quantifier,
    QuantOp,
    QuantOperator,
    Range,
    SelectField,
    SimpleOp,
    SimpleOperator,
)

_SIMPLE_SQL = {
    SimpleOperator.NEQ: "<>",
    SimpleOperator.CS: "@>",
    SimpleOperator.CD: "<@",
    SimpleOperator.OV: "&&",
    SimpleOperator.SL: "<<",
    SimpleOperator.SR: ">>",
    SimpleOperator.NXR: "&<",
    SimpleOperator.NXL: "&>",
    SimpleOperator.ADJ: "-|-",
}
_QUANT_SQL = {
    QuantOperator.EQ: "=",
    QuantOperator.GTE: ">=",
    QuantOperator.GT: ">",
    QuantOperator.LTE: "<=",
    QuantOperator.LT: "<",
    QuantOperator.LIKE: "like",
    QuantOperator.ILIKE: "ilike",
    QuantOperator.MATCH: "~",
    QuantOperator.IMATCH: "~*",
}
_FTS_SQL = {
    FtsOperator.FTS: "to_tsquery",
    FtsOperator.PLFTS: "plainto_tsquery",
    FtsOperator.PHFTS: "phraseto_tsquery",
    FtsOperator.WFTS: "websearch_to_tsquery",
}
_IS_SQL = {
    IsValue.NULL: "NULL",
    IsValue.NOT_NULL: "NOT NULL",
    IsValue.TRUE: "TRUE",
    IsValue.FALSE: "FALSE",
    IsValue.UNKNOWN: "UNKNOWN",
}
_SAFE_CAST = re.compile(r"^[A-Za-z_][A-Za-z0-9_ $]*(\[\])*$")


@dataclass
class Query:
    """A statement and its parameters (named %(pN)s placeholders)."""

    statement: sql.Composed | sql.SQL
    params: dict[str, object] = field(default_factory=dict)


class _Params:
    """Collects bound values; each gets its own named placeholder."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def add(self, value: object) -> sql.Composable:
        name = f"p{len(self.values) + 1}"
        self.values[name] = value
        return sql.Placeholder(name)


def _qi(name: QualifiedName) -> sql.Composable:
    schema, rel = name
    return sql.Identifier(schema, rel) if schema else sql.Identifier(rel)


def _column(qualifier: QualifiedName, column: str) -> sql.Composable:
    if column == "*":
        return sql.SQL("{}.*").format(_qi(qualifier))
    return sql.SQL("{}.{}").format(_qi(qualifier), sql.Identifier(column))


def _column_type(table: Table | None, column: str) -> str | None:
    if table is None or column not in table.columns:
        return None
    return table.columns[column].data_type


def _field(node: ReadNode, ref: FieldRef, params: _Params) -> sql.Composable:
    """`"t"."col"`, or `to_jsonb("t"."col")->'a'->>'b'` for a JSON path."""
    base = _column(node.qualifier, ref.name)
    if not ref.json_path:
        return base
    col_type = _column_type(node.table, ref.name)
    expr = base if col_type in ("json", "jsonb") else sql.SQL("to_jsonb({})").format(base)
    for op in ref.json_path:
        arrow = sql.SQL(op.arrow.value)
        operand = params.add(op.operand)
        if op.is_index:
            operand = sql.SQL("{}::int").format(operand)
        expr = sql.SQL("{}{}{}").format(expr, arrow, operand)
    return expr


def _cast(expr: sql.Composable, cast: str | None) -> sql.Composable:
    if cast is None:
        return expr
    if not _SAFE_CAST.match(cast):
        # The grammar only lets [A-Za-z0-9_ $] through; this guards the raw splice anyway.
        cast = "text"
    return sql.SQL("CAST( {} AS {} )").format(expr, sql.SQL(cast))


def _select_item(node: ReadNode, item: SelectField, params: _Params) -> sql.Composable:
    expr = _cast(_field(node, item.field, params), item.cast)
    alias = item.alias or item.field.last_json_key
    if alias is None:
        return expr
    return sql.SQL("{} AS {}").format(expr, sql.Identifier(alias))


# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------


def _array_literal(values: tuple[str, ...]) -> str:
    """`{"a","b,c"}`: a Postgres array literal the server casts to the column's array type."""
    escaped = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return "{" + ",".join(f'"{v}"' for v in escaped) + "}"


def _filter(node: ReadNode, flt: Filter, params: _Params) -> sql.Composable:
    operation = flt.expr.operation
    target = flt.field
    if isinstance(operation, FtsOp):
        col_type = _column_type(node.table, target.name)
        field_sql: sql.Composable = _field(node, target, params)
        if col_type != "tsvector":
            lang = [params.add(operation.language)] if operation.language else []
            field_sql = sql.SQL("to_tsvector({})").format(sql.SQL(", ").join([*lang, field_sql]))
        query_args = [params.add(operation.language)] if operation.language else []
        query_args.append(params.add(operation.value))
        body: sql.Composable = sql.SQL("{} @@ {}({})").format(
            field_sql, sql.SQL(_FTS_SQL[operation.operator]), sql.SQL(", ").join(query_args)
        )
    else:
        field_sql = _field(node, target, params)
        body = _operation(field_sql, operation, params)
    if flt.expr.negated:
        return sql.SQL("NOT {}").format(body)
    return body


def _operation(field_sql: sql.Composable, operation: object, params: _Params) -> sql.Composable:
    if isinstance(operation, QuantOp):
        value = operation.value
        if operation.operator in (QuantOperator.LIKE, QuantOperator.ILIKE):
            value = value.replace("*", "%")
        rhs = params.add(value)
        if operation.quantifier is Quantifier.ANY:
            rhs = sql.SQL("ANY({})").format(rhs)
        elif operation.quantifier is Quantifier.ALL:
            rhs = sql.SQL("ALL({})").format(rhs)
        return sql.SQL("{} {} {}").format(field_sql, sql.SQL(_QUANT_SQL[operation.operator]), rhs)
    if isinstance(operation, SimpleOp):
        return sql.SQL("{} {} {}").format(
            field_sql, sql.SQL(_SIMPLE_SQL[operation.operator]), params.add(operation.value)
        )
    if isinstance(operation, InOp):
        if operation.values == ("",):
            return sql.SQL("{} = ANY('{{}}')").format(field_sql)
        return sql.SQL("{} = ANY ({})").format(
            field_sql, params.add(_array_literal(operation.values))
        )
    if isinstance(operation, IsOp):
        return sql.SQL("{} IS {}").format(field_sql, sql.SQL(_IS_SQL[operation.value]))
    if isinstance(operation, IsDistinctOp):
        return sql.SQL("{} IS DISTINCT FROM {}").format(field_sql, params.add(operation.value))
    raise TypeError(f"unknown operation {operation!r}")


def _logic(node: ReadNode, tree: PlanLogic, params: _Params) -> sql.Composable:
    if isinstance(tree, NullEmbedFilter):
        keyword = "IS DISTINCT FROM NULL" if tree.negated else "IS NOT DISTINCT FROM NULL"
        return sql.SQL("{} {}").format(sql.Identifier(tree.agg_alias), sql.SQL(keyword))
    if isinstance(tree, LogicExpr):
        joiner = sql.SQL(" AND " if tree.operator == "and" else " OR ")
        inner = joiner.join(_logic(node, child, params) for child in tree.children)
        prefix = "NOT " if tree.negated else ""
        return sql.SQL("{}({})").format(sql.SQL(prefix), inner)
    return _filter(node, tree, params)


# ---------------------------------------------------------------------------
# SELECT with embeds
# ---------------------------------------------------------------------------


def _order(node: ReadNode, params: _Params) -> sql.Composable:
    if not node.order:
        return sql.SQL("")
    terms: list[sql.Composable] = []
    for term in node.order:
        ref: sql.Composable
        if term.relation is not None:
            # Ordered by a column of a to-one embed: its lateral alias holds the columns.
            ref = sql.SQL("{}.{}").format(
                sql.Identifier(term.relation), sql.Identifier(term.field.name)
            )
        else:
            ref = _field(node, term.field, params)
        parts: list[sql.Composable] = [ref]
        if term.direction is not None:
            parts.append(sql.SQL("ASC" if term.direction is OrderDirection.ASC else "DESC"))
        if term.nulls is not None:
            parts.append(sql.SQL("NULLS FIRST" if term.nulls is OrderNulls.FIRST else "NULLS LAST"))
        terms.append(sql.SQL(" ").join(parts))
    return sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(terms))


def _limit_offset(rng: Range, params: _Params) -> sql.Composable:
    if rng.is_all:
        return sql.SQL("")
    limit = sql.SQL("ALL") if rng.limit is None else params.add(str(rng.limit))
    return sql.SQL(" LIMIT {} OFFSET {}").format(limit, params.add(str(rng.offset)))


def _join_conditions(child: ReadNode, parent: ReadNode) -> list[sql.Composable]:
    rel = child.relationship
    assert rel is not None
    if rel.junction is not None:
        junction = _qi(rel.junction.table)
        conds: list[sql.Composable] = [
            sql.SQL("{} = {}.{}").format(
                _column(child.qualifier, target_col), junction, sql.Identifier(j_col)
            )
            for target_col, j_col in rel.junction.target_columns
        ]
        conds += [
            sql.SQL("{}.{} = {}").format(
                junction, sql.Identifier(j_col), _column(parent.qualifier, source_col)
            )
            for source_col, j_col in rel.junction.source_columns
        ]
        return conds
    return [
        sql.SQL("{} = {}").format(_column(child.qualifier, fcol), _column(parent.qualifier, col))
        for col, fcol in rel.columns
    ]


def _embed_outputs(node: ReadNode) -> list[sql.Composable]:
    """What each embed adds to its parent's select list."""
    outputs: list[sql.Composable] = []
    for child in node.children:
        agg = sql.Identifier(child.agg_alias)
        rel = child.relationship
        assert rel is not None
        if child.spread:
            for name in _spread_names(child):
                outputs.append(sql.SQL("{}.{}").format(agg, sql.Identifier(name)))
        elif not child.select and not child.children:
            continue  # `rel()`: only filters the parent
        elif rel.is_to_one:
            outputs.append(
                sql.SQL("row_to_json({}.*)::jsonb AS {}").format(
                    agg, sql.Identifier(child.output_name)
                )
            )
        else:
            outputs.append(
                sql.SQL("COALESCE( {}.{}, '[]') AS {}").format(
                    agg, agg, sql.Identifier(child.output_name)
                )
            )
    return outputs


def _spread_names(child: ReadNode) -> list[str]:
    names: list[str] = []
    for item in child.select:
        if item.field.name == "*" and not item.field.json_path:
            if child.table is not None:
                names.extend(child.table.columns)
            continue
        names.append(item.alias or item.field.last_json_key or item.field.name)
    for grandchild in child.children:
        names.extend(_spread_names(grandchild) if grandchild.spread else [grandchild.output_name])
    return names


def _joins(node: ReadNode, params: _Params) -> list[sql.Composable]:
    joins: list[sql.Composable] = []
    for child in node.children:
        rel = child.relationship
        assert rel is not None
        subquery = _select_query(child, params, parent=node)
        agg = sql.Identifier(child.agg_alias)
        kind = sql.SQL("INNER" if child.inner else "LEFT")
        if rel.is_to_one:
            joins.append(
                sql.SQL(" {} JOIN LATERAL ( {} ) AS {} ON TRUE").format(kind, subquery, agg)
            )
            continue
        condition = sql.SQL("{} IS NOT NULL").format(agg) if child.inner else sql.SQL("TRUE")
        aggregated = [sql.SQL("json_agg({})::jsonb AS {}").format(agg, agg)]
        if child.spread:
            for name in _spread_names(child):
                aggregated.append(
                    sql.SQL("COALESCE(json_agg({}.{}),'[]')::jsonb AS {}").format(
                        agg, sql.Identifier(name), sql.Identifier(name)
                    )
                )
        joins.append(
            sql.SQL(" {} JOIN LATERAL ( SELECT {} FROM ( {} ) AS {} ) AS {} ON {}").format(
                kind, sql.SQL(", ").join(aggregated), subquery, agg, agg, condition
            )
        )
    return joins


def _select_query(
    node: ReadNode, params: _Params, *, parent: ReadNode | None = None, for_count: bool = False
) -> sql.Composable:
    items = [_select_item(node, s, params) for s in node.select]
    if not items and not node.children:
        items = [sql.SQL("{}.*").format(_qi(node.qualifier))]
    items += _embed_outputs(node)
    if not items:
        items = [sql.SQL("NULL")]  # only empty embeds: the row shape is `{}`
    from_sql = _qi(node.source)
    if node.sql_alias:
        from_sql = sql.SQL("{} AS {}").format(from_sql, sql.Identifier(node.sql_alias))
    rel = node.relationship
    if rel is not None and rel.cardinality is Cardinality.MANY_TO_MANY and rel.junction:
        from_sql = sql.SQL("{}, {}").format(from_sql, _qi(rel.junction.table))
    conditions = [_logic(node, tree, params) for tree in node.where]
    if parent is not None:
        conditions += _join_conditions(node, parent)
    where = _where(conditions)
    select_list = sql.SQL("1") if for_count else sql.SQL(", ").join(items)
    tail = (
        sql.SQL("")
        if for_count
        else sql.SQL("{}{}").format(_order(node, params), _limit_offset(node.range, params))
    )
    return sql.SQL("SELECT {} FROM {}{}{}{}").format(
        select_list, from_sql, sql.SQL("").join(_joins(node, params)), where, tail
    )


# ---------------------------------------------------------------------------
# Body aggregation (handlers) and the main statements
# ---------------------------------------------------------------------------


class BodyShape:
    ARRAY = "array"
    SINGLE = "single"
    CSV = "csv"
    NONE = "none"


def _body(shape: str, routine: Routine | None, strip_nulls: bool = False) -> sql.Composable:
    if shape == BodyShape.NONE:
        return sql.SQL("''::text")
    if shape == BodyShape.CSV:
        return sql.SQL(
            "(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text as k"
            " FROM (SELECT row_to_json(hh) as r from pgrst_source as hh limit 1) s) a)"
            " || E'\\n' || coalesce(string_agg(substring(_postgrest_t::text, 2,"
            " length(_postgrest_t::text) - 2), E'\\n'), '')"
        )
    scalar = routine is not None and routine.returns_scalar
    set_of_scalar = routine is not None and routine.returns_set_of_scalar
    single_composite = routine is not None and routine.returns_composite and not routine.returns_set
    column = sql.SQL("_postgrest_t.pgrst_scalar" if scalar or set_of_scalar else "_postgrest_t")

    def strip(expr: sql.Composable) -> sql.Composable:
        return sql.SQL("json_strip_nulls({})").format(expr) if strip_nulls else expr

    if shape == BodyShape.SINGLE or scalar or single_composite:
        agg = strip(sql.SQL("json_agg({})->0").format(column))
        return sql.SQL("coalesce(({})::text, 'null')").format(agg)
    return sql.SQL("coalesce(({})::text, '[]')").format(
        strip(sql.SQL("json_agg({})").format(column))
    )


_TAIL_COLUMNS = (
    "nullif(current_setting('response.headers', true), '') AS response_headers, "
    "nullif(current_setting('response.status', true), '') AS response_status"
)


# The main statements all end in these columns; `capped` adds the body's size.
_RESULT_COLUMNS = (
    "total_result_set, page_total, {body}, response_headers, response_status, inserted, first_row"
)


def capped(query: Query, max_body_bytes: int) -> Query:
    """A read or call statement with its body withheld (NULL) past `max_body_bytes`.

    PostgREST keeps a whole body in memory; here a body over the cap never leaves the
    database, and its size (the last column) lets the caller refuse it with a clear error.
    (Mutations cap themselves: a data-modifying WITH cannot sit in a subquery.)
    """
    statement = _capped_select(sql.SQL("( {} ) pgrst_result").format(query.statement))
    return Query(statement, {**query.params, _MAX_BODY_PARAM: max_body_bytes})


_MAX_BODY_PARAM = "pgrst_max_body"


def _capped_select(source: sql.Composable) -> sql.Composed:
    body = (
        "CASE WHEN pg_catalog.octet_length(body) > %(" + _MAX_BODY_PARAM + ")s THEN NULL"
        " ELSE body END AS body"
    )
    return sql.SQL(
        "SELECT " + _RESULT_COLUMNS.format(body=body) + ","
        " pg_catalog.octet_length(body) AS body_bytes FROM {}"
    ).format(source)


def read_statement(plan: Plan, shape: str, count: bool, strip_nulls: bool = False) -> Query:
    """GET/HEAD on a table or view."""
    params = _Params()
    main = _select_query(plan.read, params)
    count_cte: sql.Composable = sql.SQL("")
    total: sql.Composable = sql.SQL("null::bigint")
    if count:
        counted = _select_query(plan.read, params, for_count=True)
        count_cte = sql.SQL(", pgrst_source_count AS ({})").format(counted)
        total = sql.SQL("(SELECT pg_catalog.count(*) FROM pgrst_source_count)")
    statement = sql.SQL(
        "WITH pgrst_source AS ( {} ){} SELECT {} AS total_result_set,"
        " pg_catalog.count(_postgrest_t) AS page_total, {} AS body, {}, NULL::bigint AS inserted,"
        " NULL::text AS first_row FROM ( SELECT * FROM pgrst_source ) _postgrest_t"
    ).format(main, count_cte, total, _body(shape, None, strip_nulls), sql.SQL(_TAIL_COLUMNS))
    return Query(statement, params.values)


def count_explain_statement(plan: Plan) -> Query:
    """`EXPLAIN` of the count query, for count=planned/estimated."""
    params = _Params()
    counted = _select_query(plan.read, params, for_count=True)
    return Query(sql.SQL("EXPLAIN (FORMAT JSON) {}").format(counted), params.values)


# -- mutations ---------------------------------------------------------------


def _body_source(
    payload: str,
    is_array: bool,
    columns: tuple[str, ...],
    table: Table,
    apply_defaults: bool,
    params: _Params,
    *,
    limit_one: bool = False,
) -> sql.Composable:
    """`FROM (SELECT $1 AS json_data) pgrst_payload, LATERAL (...) pgrst_body`."""
    json_type = sql.SQL("jsonb" if apply_defaults else "json")
    placeholder = sql.SQL("{}::{}").format(params.add(payload), json_type)
    parts = [sql.SQL("FROM (SELECT {} AS json_data) pgrst_payload, ").format(placeholder)]
    source = sql.SQL("pgrst_payload.json_data")
    prefix = "jsonb" if apply_defaults else "json"
    if apply_defaults:
        defaults = [
            (name, table.columns[name].default)
            for name in columns
            if table.columns[name].default is not None
        ]
        pairs = sql.SQL(", ").join(
            sql.SQL("{}, {}").format(sql.Literal(name), sql.SQL(default or "NULL"))
            for name, default in defaults
        )
        defs = sql.SQL("jsonb_build_object({})").format(pairs)
        if is_array:
            parts.append(
                sql.SQL(
                    "LATERAL (SELECT jsonb_agg({} || elem) AS val FROM"
                    " jsonb_array_elements(pgrst_payload.json_data) elem) pgrst_json_defs, "
                ).format(defs)
            )
        else:
            parts.append(
                sql.SQL(
                    "LATERAL (SELECT {} || pgrst_payload.json_data AS val) pgrst_json_defs, "
                ).format(defs)
            )
        source = sql.SQL("pgrst_json_defs.val")
    if columns:
        func = f"{prefix}_to_recordset" if is_array else f"{prefix}_to_record"
        typed = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(table.columns[c].data_type))
            for c in columns
        )
        names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        limit = sql.SQL(" LIMIT 1") if limit_one else sql.SQL("")
        parts.append(
            sql.SQL("LATERAL (SELECT {} FROM {}({}) AS _({}){}) pgrst_body ").format(
                names, sql.SQL(func), source, typed, limit
            )
        )
    else:
        rows = (
            sql.SQL("{}_array_elements({}) _").format(sql.SQL(prefix), source)
            if is_array
            else sql.SQL("(values(1)) _")
        )
        parts.append(sql.SQL("LATERAL (SELECT FROM {}) pgrst_body ").format(rows))
    return sql.SQL("").join(parts)


def _returning(table: Table, returning: tuple[str, ...]) -> sql.Composable:
    qualified = (table.schema, table.name)
    if not returning:
        return sql.SQL("RETURNING 1")
    return sql.SQL("RETURNING {}").format(
        sql.SQL(", ").join(_column(qualified, c) for c in returning)
    )


_INSERTED_UP = sql.SQL(
    "set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')"
    "::int, 0) + 1)::text, true) <> '0'"
)
_INSERTED_DOWN = sql.SQL(
    "set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')"
    "::int, 0) - 1)::text, true) <> '-1'"
)


def _insert(plan: InsertPlan, node: ReadNode, params: _Params) -> sql.Composable:
    table = plan.table
    target = _qi((table.schema, table.name))
    cols = plan.columns
    names = sql.SQL(", ").join(sql.Identifier(c) for c in cols)
    body_cols = sql.SQL(", ").join(sql.SQL("pgrst_body.{}").format(sql.Identifier(c)) for c in cols)
    source = _body_source(plan.payload, plan.is_array, cols, table, plan.apply_defaults, params)
    conditions: list[sql.Composable] = []
    if plan.count_inserted:
        conditions.append(_INSERTED_UP)
    body_node = ReadNode(source=("", "pgrst_body"), sql_alias=None, name="pgrst_body", table=table)
    conditions += [_filter(body_node, f, params) for f in plan.put_filters]
    where = (
        sql.SQL("WHERE {} ").format(sql.SQL(" AND ").join(conditions))
        if conditions
        else sql.SQL("")
    )
    columns_sql = sql.SQL("({}) ").format(names) if cols else sql.SQL(" ")
    statement = sql.SQL("INSERT INTO {}{}SELECT {} {}{}").format(
        target, columns_sql, body_cols if cols else sql.SQL(""), source, where
    )
    if plan.on_conflict:
        conflict = sql.SQL(", ").join(sql.Identifier(c) for c in plan.on_conflict)
        action: sql.Composable
        if not plan.merge or not cols:
            action = sql.SQL("DO NOTHING")
        else:
            sets = sql.SQL(", ").join(
                sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c))
                for c in cols
            )
            guard = (
                sql.SQL(" WHERE {}").format(_INSERTED_DOWN) if plan.count_inserted else sql.SQL("")
            )
            action = sql.SQL("DO UPDATE SET {}{}").format(sets, guard)
        statement = sql.SQL("{} ON CONFLICT({}) {}").format(statement, conflict, action)
    return sql.SQL("{} {}").format(statement, _returning(table, plan.returning))


def _where(conditions: list[sql.Composable]) -> sql.Composable:
    """` WHERE a AND b`, or nothing when there is no condition."""
    if not conditions:
        return sql.SQL("")
    return sql.SQL(" WHERE {}").format(sql.SQL(" AND ").join(conditions))


def _filters_on(
    table: Table, where: tuple[PlanLogic, ...], params: _Params
) -> list[sql.Composable]:
    """A mutation's filters, written against the target table itself."""
    root = ReadNode(source=(table.schema, table.name), sql_alias=None, name=table.name, table=table)
    return [_logic(root, tree, params) for tree in where]


def _update(plan: UpdatePlan, params: _Params) -> sql.Composable:
    table = plan.table
    qualified = (table.schema, table.name)
    where = _where(_filters_on(table, plan.where, params))
    if not plan.columns:
        cols = (
            sql.SQL(", ").join(
                sql.SQL("{}.{}").format(sql.Identifier(table.name), sql.Identifier(c))
                if c != "*"
                else sql.SQL("{}.*").format(sql.Identifier(table.name))
                for c in plan.returning
            )
            if plan.returning
            else sql.SQL("NULL")
        )
        return sql.SQL("SELECT {} FROM {} WHERE false").format(cols, _qi(qualified))
    sets = sql.SQL(", ").join(
        sql.SQL("{} = pgrst_body.{}").format(sql.Identifier(c), sql.Identifier(c))
        for c in plan.columns
    )
    source = _body_source(
        plan.payload, plan.is_array, plan.columns, table, plan.apply_defaults, params
    )
    return sql.SQL("UPDATE {} SET {} {}{} {}").format(
        _qi(qualified), sets, source, where, _returning(table, plan.returning)
    )


def _delete(plan: DeletePlan, params: _Params) -> sql.Composable:
    table = plan.table
    qualified = (table.schema, table.name)
    where = _where(_filters_on(table, plan.where, params))
    return sql.SQL("DELETE FROM {}{} {}").format(
        _qi(qualified), where, _returning(table, plan.returning)
    )


def mutate_statement(
    plan: Plan,
    shape: str,
    max_body_bytes: int,
    strip_nulls: bool = False,
    want_first_row: bool = False,
) -> Query:
    """The mutation, its body capped as `capped` does (the WITH stays at the top level)."""
    params = _Params()
    mutate = plan.mutate
    assert mutate is not None
    if isinstance(mutate, InsertPlan):
        mutation = _insert(mutate, plan.read, params)
    elif isinstance(mutate, UpdatePlan):
        mutation = _update(mutate, params)
    else:
        mutation = _delete(mutate, params)
    selected: sql.Composable
    if shape == BodyShape.NONE:
        selected = sql.SQL("SELECT * FROM pgrst_source")
    else:
        selected = _select_query(plan.read, params)
    inserted = (
        sql.SQL("nullif(current_setting('pgrst.inserted', true),'')::int")
        if isinstance(mutate, InsertPlan) and mutate.count_inserted
        else sql.SQL("NULL::bigint")
    )
    first_row = (
        sql.SQL("(SELECT row_to_json(_)::text FROM pgrst_source _ LIMIT 1)")
        if want_first_row
        else sql.SQL("NULL::text")
    )
    statement = sql.SQL(
        "WITH pgrst_source AS ( {} ), pgrst_result AS ( SELECT NULL::bigint AS total_result_set,"
        " pg_catalog.count(_postgrest_t) AS page_total, {} AS body, {}, {} AS inserted,"
        " {} AS first_row FROM ( {} ) _postgrest_t ) {}"
    ).format(
        mutation,
        _body(shape, None, strip_nulls),
        sql.SQL(_TAIL_COLUMNS),
        inserted,
        first_row,
        selected,
        _capped_select(sql.SQL("pgrst_result")),
    )
    return Query(statement, {**params.values, _MAX_BODY_PARAM: max_body_bytes})


# -- function calls ------------------------------------------------------------


def _call_source(call: CallPlan, params: _Params) -> sql.Composable:
    routine = call.routine
    fn = _qi((routine.schema, routine.name))
    scalar = routine.returns_scalar or routine.returns_set_of_scalar

    def invoke(args: sql.Composable) -> sql.Composable:
        if scalar:
            return sql.SQL("(SELECT {}({}) pgrst_scalar) pgrst_call").format(fn, args)
        return sql.SQL("{}({}) pgrst_call").format(fn, args)

    selected = sql.SQL("pgrst_call.pgrst_scalar" if scalar else "pgrst_call.*")
    by_name = {p.name: p for p in routine.params}
    if call.single_unnamed:
        param = routine.params[0]
        body = sql.SQL("{}::{}").format(params.add(call.json_body), sql.SQL(param.data_type))
        return sql.SQL("SELECT {} FROM {}").format(selected, invoke(body))
    if call.direct_args is not None:
        args: list[sql.Composable] = []
        for name, value in call.direct_args:
            named = by_name.get(name)
            if named is None:
                continue
            param = named
            raw = _array_literal(value) if isinstance(value, tuple) else value
            variadic = sql.SQL("VARIADIC ") if param.variadic else sql.SQL("")
            args.append(
                sql.SQL("{}{} := {}::{}").format(
                    variadic, sql.Identifier(name), params.add(raw), sql.SQL(param.data_type)
                )
            )
        return sql.SQL("SELECT {} FROM {}").format(selected, invoke(sql.SQL(", ").join(args)))
    names = call.param_names
    if not names:
        return sql.SQL("SELECT {} FROM {}").format(selected, invoke(sql.SQL("")))
    typed = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(by_name[n].data_type)) for n in names
    )
    body_json = call.json_body or "{}"
    func = "json_to_recordset" if body_json.lstrip().startswith("[") else "json_to_record"
    named_args = sql.SQL(", ").join(
        sql.SQL("{}{} := pgrst_body.{}").format(
            sql.SQL("VARIADIC ") if by_name[n].variadic else sql.SQL(""),
            sql.Identifier(n),
            sql.Identifier(n),
        )
        for n in names
    )
    return sql.SQL(
        "SELECT {} FROM (SELECT {}::json AS json_data) pgrst_payload,"
        " LATERAL (SELECT {} FROM {}(pgrst_payload.json_data) AS _({})) pgrst_body, LATERAL {}"
    ).format(
        selected,
        params.add(body_json),
        sql.SQL(", ").join(sql.Identifier(n) for n in names),
        sql.SQL(func),
        typed,
        invoke(named_args),
    )


def call_statement(plan: Plan, shape: str, count: bool, strip_nulls: bool = False) -> Query:
    call = plan.call
    assert call is not None
    params = _Params()
    source = _call_source(call, params)
    routine = call.routine
    selected: sql.Composable
    if routine.returns_scalar or routine.returns_set_of_scalar:
        selected = sql.SQL("SELECT {}.pgrst_scalar FROM pgrst_source AS {}{}{}").format(
            sql.Identifier(plan.read.name),
            sql.Identifier(plan.read.name),
            sql.SQL(" WHERE {}").format(
                sql.SQL(" AND ").join(_logic(plan.read, t, params) for t in plan.read.where)
            )
            if plan.read.where
            else sql.SQL(""),
            _limit_offset(plan.read.range, params),
        )
    else:
        selected = _select_query(plan.read, params)
    count_cte: sql.Composable = sql.SQL("")
    total: sql.Composable = sql.SQL("null::bigint")
    page_total = sql.SQL("1" if routine.returns_single else "pg_catalog.count(_postgrest_t)")
    if count:
        counted = _select_query(plan.read, params, for_count=True)
        count_cte = sql.SQL(", pgrst_source_count AS ({})").format(counted)
        total = sql.SQL("(SELECT pg_catalog.count(*) FROM pgrst_source_count)")
    statement = sql.SQL(
        "WITH pgrst_source AS ( {} ){} SELECT {} AS total_result_set, {} AS page_total,"
        " {} AS body, {}, NULL::bigint AS inserted, NULL::text AS first_row"
        " FROM ( {} ) _postgrest_t"
    ).format(
        source,
        count_cte,
        total,
        page_total,
        _body(shape, routine, strip_nulls),
        sql.SQL(_TAIL_COLUMNS),
        selected,
    )
    return Query(statement, params.values)
