"""ApiRequest + SchemaCache -> a plan (PostgREST's Plan.hs, ReadPlan/MutatePlan/CallPlan).

The read plan is a tree: the root reads the target, each embed is a child joined through a
relationship found in the schema cache. Filters, logic trees, orders and ranges are hung on
the node they name. Mutations and calls add what to write or which function to call. Unknown
columns are left for Postgres to reject (as PostgREST does); unknown tables, relationships
and functions fail here with PGRST2xx.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from aimodels.gateway.rest import errors
from aimodels.gateway.rest.request import Action, ApiRequest
from aimodels.gateway.rest.schema_cache import (
    Cardinality,
    QualifiedName,
    Relationship,
    Routine,
    SchemaCache,
    Table,
    Volatility,
)
from aimodels.gateway.rest.types import (
    EmbedPath,
    Filter,
    IsOp,
    IsValue,
    LogicExpr,
    LogicTree,
    OrderTerm,
    QuantOp,
    QuantOperator,
    Range,
    SelectField,
    SelectItem,
    SelectRelation,
)

SOURCE_CTE = "pgrst_source"


@dataclass(frozen=True, slots=True)
class NullEmbedFilter:
    """`rel=is.null` / `rel=not.is.null` on an embedded resource: filters the parent rows."""

    agg_alias: str
    negated: bool  # not.is.null: keep parents that have the embed


PlanLogic = Filter | LogicExpr | NullEmbedFilter


@dataclass(slots=True)
class ReadNode:
    """One FROM of the read: the root table or an embedded resource."""

    source: QualifiedName  # ("", "pgrst_source") when reading a mutation/call result
    sql_alias: str | None  # alias in SQL; None: columns are qualified by `source`
    name: str  # the relation name as written in select
    select: list[SelectField] = field(default_factory=list)
    where: list[PlanLogic] = field(default_factory=list)
    order: tuple[OrderTerm, ...] = ()
    range: Range = field(default_factory=Range)
    children: list[ReadNode] = field(default_factory=list)
    alias: str | None = None
    hint: str | None = None
    inner: bool = False
    spread: bool = False
    relationship: Relationship | None = None
    agg_alias: str = ""
    depth: int = 0
    # The table whose columns this node reads (types for JSON paths and full-text search).
    table: Table | None = None

    @property
    def output_name(self) -> str:
        return self.alias or self.name

    @property
    def qualifier(self) -> QualifiedName:
        return ("", self.sql_alias) if self.sql_alias else self.source


@dataclass(frozen=True, slots=True)
class InsertPlan:
    table: Table
    columns: tuple[str, ...]
    payload: str
    is_array: bool
    on_conflict: tuple[str, ...] | None
    merge: bool  # merge-duplicates (DO UPDATE) vs ignore-duplicates (DO NOTHING)
    apply_defaults: bool
    returning: tuple[str, ...]  # () -> RETURNING 1
    put_filters: tuple[Filter, ...] = ()  # PUT: the payload must match the URL's primary key
    count_inserted: bool = False


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    table: Table
    columns: tuple[str, ...]
    payload: str
    is_array: bool
    where: tuple[LogicTree, ...]
    apply_defaults: bool
    returning: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeletePlan:
    table: Table
    where: tuple[LogicTree, ...]
    returning: tuple[str, ...]


MutatePlan = InsertPlan | UpdatePlan | DeletePlan


@dataclass(frozen=True, slots=True)
class CallPlan:
    routine: Routine
    # Named arguments given as text (GET or form body): name -> value(s).
    direct_args: tuple[tuple[str, str | tuple[str, ...]], ...] | None
    # A JSON body: the arguments are taken from it by name (json_to_record).
    json_body: str | None
    single_unnamed: bool  # the whole body goes to one unnamed json/jsonb parameter
    param_names: tuple[str, ...]  # which parameters the request specifies
    returning: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    request: ApiRequest
    read: ReadNode
    mutate: MutatePlan | None = None
    call: CallPlan | None = None
    read_only: bool = True


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def find_table(cache: SchemaCache, schema: str, name: str) -> Table:
    table = cache.table(schema, name)
    if table is None:
        raise errors.table_not_found(schema, name, cache.suggest_table(schema, name))
    return table


def plan_request(request: ApiRequest, cache: SchemaCache, max_rows: int | None) -> Plan:
    if request.action is Action.CALL:
        return _call_plan(request, cache, max_rows)
    table = find_table(cache, request.schema, request.target)
    is_mutation = request.action is not Action.READ
    read = _read_plan(request, cache, table.name, table, is_mutation=is_mutation)
    if not is_mutation:
        _restrict_ranges(read, max_rows)
        return Plan(request, read)
    mutate = _mutate_plan(request, table, read)
    return Plan(request, read, mutate=mutate, read_only=False)


# ---------------------------------------------------------------------------
# Read plan
# ---------------------------------------------------------------------------


def _read_plan(
    request: ApiRequest,
    cache: SchemaCache,
    name: str,
    table: Table | None,
    *,
    is_mutation: bool = False,
    from_source: bool = False,
) -> ReadNode:
    schema = request.schema
    if is_mutation or from_source:
        root = ReadNode(source=("", SOURCE_CTE), sql_alias=name, name=name, table=table)
    else:
        root = ReadNode(source=(schema, name), sql_alias=None, name=name, table=table)
    _add_select(root, request.query.select, cache, schema)
    query = request.query
    for path, flt in query.filters:
        # Root filters of a mutation go to the UPDATE/DELETE itself, not to the read.
        if is_mutation and not path:
            continue
        _node_at(root, path).where.append(flt)
    for path, tree in query.logic:
        if is_mutation and not path:
            continue
        _node_at(root, path).where.append(tree)
    for path, terms in query.order:
        _node_at(root, path).order = terms
    for path, rng in query.ranges.items():
        if is_mutation:
            continue
        node = _node_at(root, path)
        node.range = request.top_range if not path else rng
    if not is_mutation and () not in query.ranges:
        root.range = request.top_range
    _resolve_embed_filters(root)
    _resolve_related_orders(root)
    return root


def _add_select(
    node: ReadNode, items: tuple[SelectItem, ...], cache: SchemaCache, schema: str
) -> None:
    for item in items:
        if isinstance(item, SelectField):
            if item.aggregate is not None:
                raise errors.aggregates_not_allowed()
            node.select.append(item)
            continue
        child_depth = node.depth + 1
        rel = _find_relationship(cache, schema, node, item)
        target = cache.table(*rel.foreign_table)
        child = ReadNode(
            source=rel.foreign_table,
            sql_alias=f"{rel.foreign_table[1]}_{child_depth}",
            name=item.relation,
            alias=item.alias,
            hint=item.hint,
            inner=item.join_type is not None and item.join_type.value == "inner",
            spread=item.spread,
            relationship=rel,
            agg_alias=f"{rel.table[1]}_{item.alias or item.relation}_{child_depth}",
            depth=child_depth,
            table=target,
        )
        _add_select(child, item.children, cache, schema)
        node.children.append(child)


def _origin_name(node: ReadNode) -> str:
    if node.depth == 0:
        return node.name
    return node.source[1]


def _find_relationship(
    cache: SchemaCache, schema: str, node: ReadNode, item: SelectRelation
) -> Relationship:
    origin = _origin_name(node)
    target, hint = item.relation, item.hint
    candidates = cache.relationships.get((schema, origin), ())
    matches = [r for r in candidates if _matches(r, target, hint)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        suggestion = _relationship_suggestion(cache, schema, origin, target)
        raise errors.no_relationship(origin, target, hint, schema, suggestion)
    # A many-to-many and a direct FK to the same table: PostgREST reports ambiguity too.
    raise errors.ambiguous_relationship(
        origin,
        target,
        [_describe(r) for r in matches],
        [f"'{r.foreign_table[1]}!{_hint_name(r)}'" for r in matches],
    )


def _single_col(rel: Relationship, *, foreign: bool) -> str | None:
    if len(rel.columns) != 1:
        return None
    own, other = rel.columns[0]
    return other if foreign else own


def _matches(rel: Relationship, target: str, hint: str | None) -> bool:
    """PostgREST's findRel: the target names a table, a constraint or an FK column."""
    is_m2m = rel.cardinality is Cardinality.MANY_TO_MANY
    if rel.is_self and not is_m2m:
        if hint is None:
            return (
                target == rel.foreign_table[1] and rel.cardinality is Cardinality.ONE_TO_MANY
            ) or (
                _single_col(rel, foreign=False) == target
                and rel.cardinality is Cardinality.MANY_TO_ONE
            )
        return (
            target == rel.foreign_table[1]
            and rel.cardinality is Cardinality.ONE_TO_MANY
            and _single_col(rel, foreign=True) == hint
        )
    if hint is None:
        if target == rel.foreign_table[1]:
            return True
        if is_m2m or rel.foreign_is_view:
            return False
        return rel.constraint == target or _single_col(rel, foreign=False) == target
    if target != rel.foreign_table[1]:
        return False
    if is_m2m:
        return rel.junction is not None and rel.junction.table[1] == hint
    return (
        rel.constraint == hint
        or _single_col(rel, foreign=False) == hint
        or _single_col(rel, foreign=True) == hint
    )


def _hint_name(rel: Relationship) -> str:
    if rel.junction is not None:
        return rel.junction.table[1]
    return rel.constraint


def _describe(rel: Relationship) -> dict[str, str]:
    def cols(names: list[str]) -> str:
        return "(" + ", ".join(names) + ")"

    embedding = f"{rel.table[1]} with {rel.foreign_table[1]}"
    if rel.junction is not None:
        j = rel.junction
        relationship = (
            f"{j.table[1]} using {j.constraint_source}{cols([c for _, c in j.source_columns])}"
            f" and {j.constraint_target}{cols([c for _, c in j.target_columns])}"
        )
    else:
        relationship = (
            f"{rel.constraint} using {rel.table[1]}{cols([c for c, _ in rel.columns])}"
            f" and {rel.foreign_table[1]}{cols([fc for _, fc in rel.columns])}"
        )
    return {
        "cardinality": rel.cardinality.value,
        "embedding": embedding,
        "relationship": relationship,
    }


def _relationship_suggestion(
    cache: SchemaCache, schema: str, origin: str, target: str
) -> str | None:
    origins = [t for s, t in cache.relationships if s == schema]
    if (schema, origin) not in cache.relationships:
        close = difflib.get_close_matches(origin, origins, n=1, cutoff=0.33)
        return f"Perhaps you meant '{close[0]}' instead of '{origin}'." if close else None
    children = [r.foreign_table[1] for r in cache.relationships[(schema, origin)]]
    if target in children:
        return None
    close = difflib.get_close_matches(target, children, n=1, cutoff=0.33)
    return f"Perhaps you meant '{close[0]}' instead of '{target}'." if close else None


def _node_at(root: ReadNode, path: EmbedPath) -> ReadNode:
    node = root
    for name in path:
        found = next((c for c in node.children if c.alias == name), None) or next(
            (c for c in node.children if c.name == name), None
        )
        if found is None:
            raise errors.not_embedded(name)
        node = found
    return node


def _resolve_embed_filters(node: ReadNode) -> None:
    """`rel=is.null` where `rel` is embedded here filters on the embed's presence."""
    node.where = [_null_embed(node, tree) for tree in node.where]
    for child in node.children:
        _resolve_embed_filters(child)


def _null_embed(node: ReadNode, tree: PlanLogic) -> PlanLogic:
    if isinstance(tree, LogicExpr):
        children = tuple(_null_embed(node, c) for c in tree.children)
        return LogicExpr(tree.operator, children, tree.negated)  # type: ignore[arg-type]
    if isinstance(tree, Filter) and not tree.field.json_path:
        child = next((c for c in node.children if c.output_name == tree.field.name), None)
        operation = tree.expr.operation
        if child is not None and isinstance(operation, IsOp) and operation.value is IsValue.NULL:
            return NullEmbedFilter(child.agg_alias, tree.expr.negated)
    return tree


def _resolve_related_orders(node: ReadNode) -> None:
    resolved: list[OrderTerm] = []
    for term in node.order:
        if term.relation is None:
            resolved.append(term)
            continue
        child = next((c for c in node.children if c.output_name == term.relation), None)
        if child is None:
            raise errors.not_embedded(term.relation)
        if child.relationship is None or not child.relationship.is_to_one:
            raise errors.related_order_not_to_one(_origin_name(node), term.relation)
        resolved.append(OrderTerm(term.field, term.direction, term.nulls, child.agg_alias))
    node.order = tuple(resolved)
    for child in node.children:
        _resolve_related_orders(child)


def _restrict_ranges(node: ReadNode, max_rows: int | None) -> None:
    if node.range.limit != 0:
        node.range = node.range.restrict(max_rows)
    for child in node.children:
        _restrict_ranges(child, max_rows)


# ---------------------------------------------------------------------------
# Mutate plan
# ---------------------------------------------------------------------------


def _returning(request: ApiRequest, read: ReadNode, pk: tuple[str, ...]) -> tuple[str, ...]:
    """Columns the read over the mutated rows needs: its fields, FK columns of embeds, pk."""
    from aimodels.gateway.rest.preferences import Representation

    if request.preferences.representation in (None, Representation.MINIMAL):
        return ()
    names = [s.field.name for s in read.select]
    if "*" in names:
        return ("*",)
    for child in read.children:
        rel = child.relationship
        if rel is None:
            continue
        if rel.junction is not None:
            names.extend(c for c, _ in rel.junction.source_columns)
        else:
            names.extend(c for c, _ in rel.columns)
    names.extend(pk)
    return tuple(dict.fromkeys(names))


def _mutate_plan(request: ApiRequest, table: Table, read: ReadNode) -> MutatePlan:
    from aimodels.gateway.rest.preferences import Missing, Resolution

    prefs = request.preferences
    query = request.query
    returning = _returning(request, read, table.primary_key)
    where: tuple[LogicTree, ...] = tuple(query.root_filters) + tuple(
        t for p, t in query.logic if not p
    )
    if request.action is Action.DELETE:
        return DeletePlan(table, where, returning)
    for column in request.columns:
        if column not in table.columns:
            raise errors.column_not_found(table.name, column)
    payload = request.payload
    assert payload is not None
    apply_defaults = prefs.missing is Missing.DEFAULT
    if request.action is Action.UPDATE:
        return UpdatePlan(
            table, request.columns, payload.raw, payload.is_array, where, apply_defaults, returning
        )
    if request.action is Action.UPSERT:
        pk = table.primary_key
        filters = query.root_filters
        only_pk_eq = all(
            isinstance(f.expr.operation, QuantOp)
            and f.expr.operation.operator is QuantOperator.EQ
            and f.expr.operation.quantifier is None
            and not f.expr.negated
            for f in filters
        )
        if not pk or query.logic or query.filter_field_names != frozenset(pk) or not only_pk_eq:
            raise errors.invalid_filters()
        return InsertPlan(
            table,
            request.columns,
            payload.raw,
            payload.is_array,
            pk,
            True,
            False,
            returning,
            put_filters=filters,
            count_inserted=True,
        )
    conflict: tuple[str, ...] | None = None
    if prefs.resolution is not None:
        conflict = query.on_conflict or table.primary_key
    merge = prefs.resolution is Resolution.MERGE_DUPLICATES
    return InsertPlan(
        table,
        request.columns,
        payload.raw,
        payload.is_array,
        conflict,
        merge,
        apply_defaults,
        returning,
        count_inserted=merge,
    )


# ---------------------------------------------------------------------------
# Call plan
# ---------------------------------------------------------------------------


def find_routine(request: ApiRequest, cache: SchemaCache, arg_names: frozenset[str]) -> Routine:
    schema, name = request.schema, request.target
    overloads = cache.routines.get((schema, name), ())
    is_post = request.method == "POST"
    json_body = is_post and request.content_type == "application/json"

    def matches(routine: Routine) -> bool:
        if not routine.params:
            return not arg_names
        required = {p.name for p in routine.params if p.required}
        optional = {p.name for p in routine.params if not p.required}
        return required <= arg_names and arg_names - optional == required

    named = [r for r in overloads if matches(r)]
    unnamed = [
        r
        for r in overloads
        if json_body and r.has_single_unnamed_param and r.params[0].data_type in ("json", "jsonb")
    ]
    if len(named) == 1:
        return named[0]
    if not named and len(unnamed) == 1:
        return unnamed[0]
    candidates = named or unnamed
    if candidates:
        raise errors.ambiguous_function(
            [
                f"{r.schema}.{r.name}("
                + ", ".join(f"{p.name} => {p.data_type}" for p in r.params)
                + ")"
                for r in candidates
            ]
        )
    suggestion: str | None = None
    if not overloads:
        close = cache.suggest_routine(schema, name)
        suggestion = f"Perhaps you meant to call the function {schema}.{close}" if close else None
    else:
        signatures = ["(" + ", ".join(sorted(p.name for p in r.params)) + ")" for r in overloads]
        wanted = "(" + ", ".join(sorted(arg_names)) + ")"
        close_list = difflib.get_close_matches(wanted, signatures, n=1, cutoff=0.33)
        if close_list:
            suggestion = f"Perhaps you meant to call the function {schema}.{name}{close_list[0]}"
    raise errors.no_function(schema, name, sorted(arg_names), json_body, suggestion)


def _call_plan(request: ApiRequest, cache: SchemaCache, max_rows: int | None) -> Plan:
    is_post = request.method == "POST"
    if is_post:
        arg_names = frozenset(request.columns)
    else:
        arg_names = frozenset(k for k, _ in request.query.rpc_params)
    routine = find_routine(request, cache, arg_names)
    relation = routine.table_name or routine.name
    table = cache.table(routine.return_schema, routine.table_name) if routine.table_name else None
    read = _read_plan(request, cache, relation, table, from_source=True)
    _restrict_ranges(read, max_rows)
    single_unnamed = (
        routine.has_single_unnamed_param
        and not arg_names & {""}
        and (not any(p.name in arg_names for p in routine.params))
    )
    direct_args: tuple[tuple[str, str | tuple[str, ...]], ...] | None = None
    json_body: str | None = None
    if not is_post:
        grouped: dict[str, list[str]] = {}
        for key, value in request.query.rpc_params:
            grouped.setdefault(key, []).append(value)
        variadic = {p.name for p in routine.params if p.variadic}
        direct_args = tuple((k, tuple(v) if k in variadic else v[-1]) for k, v in grouped.items())
    elif request.payload is not None:
        json_body = request.payload.raw
    names = tuple(p.name for p in routine.params if p.name in arg_names)
    returning = (
        ("*",)
        if any(s.field.name == "*" for s in read.select) or not read.select
        else tuple(dict.fromkeys(s.field.name for s in read.select))
    )
    read_only = not is_post or routine.volatility is not Volatility.VOLATILE
    call = CallPlan(routine, direct_args, json_body, single_unnamed and is_post, names, returning)
    return Plan(request, read, call=call, read_only=read_only)
