"""The schema cache (PostgREST's SchemaCache.hs): what the exposed schemas contain.

Read from pg_catalog at startup and on `NOTIFY pgrst, 'reload schema'`: tables and views with
their columns and primary keys, foreign-key relationships (also through views whose columns
come straight from a base table, and many-to-many through junction tables), and functions
with their parameters, volatility and return shape. Nothing here knows any particular schema.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from enum import StrEnum

from psycopg import AsyncConnection

QualifiedName = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    data_type: str  # format_type(): what json_to_recordset casts the body field to
    nullable: bool
    default: str | None
    description: str | None = None
    max_length: int | None = None
    enum_values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    is_view: bool
    columns: dict[str, Column]
    primary_key: tuple[str, ...]
    insertable: bool
    updatable: bool
    deletable: bool
    description: str | None = None


class Cardinality(StrEnum):
    MANY_TO_ONE = "many-to-one"
    ONE_TO_MANY = "one-to-many"
    ONE_TO_ONE = "one-to-one"
    MANY_TO_MANY = "many-to-many"


@dataclass(frozen=True, slots=True)
class Junction:
    table: QualifiedName
    constraint_source: str
    constraint_target: str
    source_columns: tuple[tuple[str, str], ...]  # (origin column, junction column)
    target_columns: tuple[tuple[str, str], ...]  # (target column, junction column)


@dataclass(frozen=True, slots=True)
class Relationship:
    """A way to embed `foreign_table` from `table`; columns pair table col with foreign col."""

    table: QualifiedName
    foreign_table: QualifiedName
    cardinality: Cardinality
    constraint: str
    columns: tuple[tuple[str, str], ...]
    foreign_is_view: bool = False
    junction: Junction | None = None

    @property
    def is_self(self) -> bool:
        return self.table == self.foreign_table

    @property
    def is_to_one(self) -> bool:
        return self.cardinality in (Cardinality.MANY_TO_ONE, Cardinality.ONE_TO_ONE)


class Volatility(StrEnum):
    VOLATILE = "v"
    STABLE = "s"
    IMMUTABLE = "i"


@dataclass(frozen=True, slots=True)
class RoutineParam:
    name: str
    data_type: str
    required: bool
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class Routine:
    schema: str
    name: str
    params: tuple[RoutineParam, ...]
    return_schema: str
    return_type: str
    returns_set: bool
    returns_composite: bool
    volatility: Volatility
    table_name: str | None = None  # the relation whose row type it returns, for embedding
    description: str | None = None

    @property
    def returns_void(self) -> bool:
        return self.return_type == "void" and not self.returns_composite

    @property
    def returns_scalar(self) -> bool:
        return not self.returns_set and not self.returns_composite

    @property
    def returns_set_of_scalar(self) -> bool:
        return self.returns_set and not self.returns_composite

    @property
    def returns_single(self) -> bool:
        return not self.returns_set

    @property
    def has_single_unnamed_param(self) -> bool:
        return len(self.params) == 1 and self.params[0].name == ""


@dataclass(frozen=True, slots=True)
class SchemaCache:
    schemas: tuple[str, ...]
    tables: dict[QualifiedName, Table] = field(default_factory=dict)
    relationships: dict[QualifiedName, tuple[Relationship, ...]] = field(default_factory=dict)
    routines: dict[QualifiedName, tuple[Routine, ...]] = field(default_factory=dict)

    def table(self, schema: str, name: str) -> Table | None:
        return self.tables.get((schema, name))

    def suggest_table(self, schema: str, name: str) -> str | None:
        names = [t for s, t in self.tables if s == schema]
        matches = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
        return matches[0] if matches else None

    def suggest_routine(self, schema: str, name: str) -> str | None:
        names = [r for s, r in self.routines if s == schema]
        matches = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
        return matches[0] if matches else None


# ---------------------------------------------------------------------------
# Introspection queries (catalog reads only; run as the connecting role)
# ---------------------------------------------------------------------------

_TABLES_SQL = """
select n.nspname, c.relname, c.relkind in ('v', 'm') as is_view,
       pg_catalog.pg_relation_is_updatable(c.oid, true) as mask,
       pg_catalog.obj_description(c.oid, 'pg_class') as description
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'v', 'm', 'f', 'p') and n.nspname = any(%(schemas)s)
  and not c.relispartition
"""

_COLUMNS_SQL = """
select n.nspname, c.relname, a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) as data_type,
       not a.attnotnull as nullable,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) as column_default,
       pg_catalog.col_description(c.oid, a.attnum) as description,
       case when a.atttypmod > 4 and t.typcategory = 'S' then a.atttypmod - 4 end as max_length,
       coalesce((select array_agg(e.enumlabel order by e.enumsortorder)
                 from pg_catalog.pg_enum e where e.enumtypid = a.atttypid), '{}') as enum_values
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_type t on t.oid = a.atttypid
left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attnum > 0 and not a.attisdropped
  and c.relkind in ('r', 'v', 'm', 'f', 'p') and n.nspname = any(%(schemas)s)
order by n.nspname, c.relname, a.attnum
"""

# Primary keys and unique constraints: the PK names rows; either can make an FK one-to-one.
_KEYS_SQL = """
select n.nspname, c.relname, con.contype,
       array(select a.attname from unnest(con.conkey) with ordinality k(num, ord)
             join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num
             order by k.ord) as columns
from pg_catalog.pg_constraint con
join pg_catalog.pg_class c on c.oid = con.conrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where con.contype in ('p', 'u')
"""

_FOREIGN_KEYS_SQL = """
select con.conname,
       n1.nspname, c1.relname, n2.nspname, c2.relname,
       array(select a.attname from unnest(con.conkey) with ordinality k(num, ord)
             join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num
             order by k.ord) as columns,
       array(select a.attname from unnest(con.confkey) with ordinality k(num, ord)
             join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num
             order by k.ord) as foreign_columns
from pg_catalog.pg_constraint con
join pg_catalog.pg_class c1 on c1.oid = con.conrelid
join pg_catalog.pg_namespace n1 on n1.oid = c1.relnamespace
join pg_catalog.pg_class c2 on c2.oid = con.confrelid
join pg_catalog.pg_namespace n2 on n2.oid = c2.relnamespace
where con.contype = 'f' and (n1.nspname = any(%(schemas)s) or n2.nspname = any(%(schemas)s))
"""

# Which base-table columns each view reads (through its rewrite rule); a view column with the
# same name as one of them is taken to be that column, so the base table's FKs apply.
_VIEW_SOURCES_SQL = """
select distinct vn.nspname, vc.relname, bn.nspname, bc.relname, a.attname
from pg_catalog.pg_rewrite r
join pg_catalog.pg_class vc on vc.oid = r.ev_class and vc.relkind in ('v', 'm')
join pg_catalog.pg_namespace vn on vn.oid = vc.relnamespace
join pg_catalog.pg_depend d on d.objid = r.oid
  and d.classid = 'pg_catalog.pg_rewrite'::regclass
  and d.refclassid = 'pg_catalog.pg_class'::regclass and d.refobjsubid > 0
join pg_catalog.pg_class bc on bc.oid = d.refobjid and bc.oid <> vc.oid
join pg_catalog.pg_namespace bn on bn.oid = bc.relnamespace
join pg_catalog.pg_attribute a on a.attrelid = bc.oid and a.attnum = d.refobjsubid
where vn.nspname = any(%(schemas)s)
"""

_ROUTINES_SQL = """
select pn.nspname, p.proname,
       coalesce(p.proargnames, '{}') as arg_names,
       coalesce(p.proargmodes::text[], '{}') as arg_modes,
       array(select pg_catalog.format_type(t, null)
             from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) t) as arg_types,
       p.pronargs, p.pronargdefaults, p.provariadic <> 0 as has_variadic,
       tn.nspname as ret_schema, t.typname as ret_type,
       p.proretset,
       (t.typtype = 'c' or coalesce(p.proargmodes::text[] && '{t,b,o}', false)) as composite,
       p.provolatile,
       comp.relname as table_name,
       pg_catalog.obj_description(p.oid, 'pg_proc') as description
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace pn on pn.oid = p.pronamespace
join pg_catalog.pg_type t on t.oid = p.prorettype
join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace
left join pg_catalog.pg_class comp
  on comp.oid = t.typrelid and comp.relkind in ('r', 'v', 'm', 'f', 'p')
where pn.nspname = any(%(schemas)s) and p.prokind = 'f'
  and t.oid <> 'pg_catalog.trigger'::regtype
"""


async def load_schema_cache(conn: AsyncConnection, schemas: tuple[str, ...]) -> SchemaCache:
    """Read the catalog once (one snapshot) and build the cache."""
    params = {"schemas": list(schemas)}
    async with conn.cursor() as cur:
        await cur.execute(_TABLES_SQL, params)
        table_rows = await cur.fetchall()
        await cur.execute(_COLUMNS_SQL, params)
        column_rows = await cur.fetchall()
        await cur.execute(_KEYS_SQL)
        key_rows = await cur.fetchall()
        await cur.execute(_FOREIGN_KEYS_SQL, params)
        fk_rows = await cur.fetchall()
        await cur.execute(_VIEW_SOURCES_SQL, params)
        view_rows = await cur.fetchall()
        await cur.execute(_ROUTINES_SQL, params)
        routine_rows = await cur.fetchall()

    columns: dict[QualifiedName, dict[str, Column]] = defaultdict(dict)
    for schema, table, name, data_type, nullable, default, desc, max_len, enums in column_rows:
        columns[(schema, table)][name] = Column(
            name, data_type, nullable, default, desc, max_len, tuple(enums)
        )
    primary_keys: dict[QualifiedName, tuple[str, ...]] = {}
    unique_keys: dict[QualifiedName, list[frozenset[str]]] = defaultdict(list)
    for schema, table, kind, key_columns in key_rows:
        if kind == "p":
            primary_keys[(schema, table)] = tuple(key_columns)
        unique_keys[(schema, table)].append(frozenset(key_columns))

    tables: dict[QualifiedName, Table] = {}
    for schema, name, is_view, mask, description in table_rows:
        tables[(schema, name)] = Table(
            schema=schema,
            name=name,
            is_view=is_view,
            columns=columns.get((schema, name), {}),
            primary_key=primary_keys.get((schema, name), ()),
            insertable=bool(mask & 8),
            updatable=bool(mask & 4),
            deletable=bool(mask & 16),
            description=description,
        )

    base_rels = _foreign_key_relationships(fk_rows, unique_keys)
    view_rels = _view_relationships(base_rels, view_rows, tables)
    junction_rels = _many_to_many(base_rels[0::2], primary_keys)
    by_origin: dict[QualifiedName, list[Relationship]] = defaultdict(list)
    for rel in [*base_rels, *view_rels, *junction_rels]:
        # Foreign keys into hidden schemas are read only so views can inherit them; like
        # PostgREST, embedding reaches exposed tables and views only (else PGRST200).
        if _is_exposed_relationship(rel, tables):
            by_origin[rel.table].append(rel)

    routines: dict[QualifiedName, list[Routine]] = defaultdict(list)
    for row in routine_rows:
        routine = _routine(row)
        routines[(routine.schema, routine.name)].append(routine)

    return SchemaCache(
        schemas=schemas,
        tables=tables,
        relationships={k: tuple(v) for k, v in by_origin.items()},
        routines={k: tuple(v) for k, v in routines.items()},
    )


def _is_exposed_relationship(rel: Relationship, tables: dict[QualifiedName, Table]) -> bool:
    ends = [rel.table, rel.foreign_table]
    if rel.junction is not None:
        ends.append(rel.junction.table)
    return all(end in tables for end in ends)


def _foreign_key_relationships(
    fk_rows: list[tuple], unique_keys: dict[QualifiedName, list[frozenset[str]]]
) -> list[Relationship]:
    rels: list[Relationship] = []
    for name, schema, table, f_schema, f_table, cols, f_cols in fk_rows:
        origin, target = (schema, table), (f_schema, f_table)
        pairs = tuple(zip(cols, f_cols, strict=True))
        one_to_one = frozenset(cols) in unique_keys.get(origin, [])
        forward = Cardinality.ONE_TO_ONE if one_to_one else Cardinality.MANY_TO_ONE
        backward = Cardinality.ONE_TO_ONE if one_to_one else Cardinality.ONE_TO_MANY
        rels.append(Relationship(origin, target, forward, name, pairs))
        reverse = tuple((fc, c) for c, fc in pairs)
        rels.append(Relationship(target, origin, backward, name, reverse))
    return rels


def _view_relationships(
    base_rels: list[Relationship], view_rows: list[tuple], tables: dict[QualifiedName, Table]
) -> list[Relationship]:
    """Copy each FK relationship onto the views that expose its columns unchanged."""
    used: dict[tuple[QualifiedName, QualifiedName], set[str]] = defaultdict(set)
    for v_schema, v_name, b_schema, b_name, column in view_rows:
        used[((v_schema, v_name), (b_schema, b_name))].add(column)
    views_of: dict[QualifiedName, list[QualifiedName]] = defaultdict(list)
    for view, base in used:
        views_of[base].append(view)

    def exposes(view: QualifiedName, base: QualifiedName, cols: list[str]) -> bool:
        view_table = tables.get(view)
        return view_table is not None and all(
            c in used[(view, base)] and c in view_table.columns for c in cols
        )

    rels: list[Relationship] = []
    for rel in base_rels:
        own_cols = [c for c, _ in rel.columns]
        foreign_cols = [fc for _, fc in rel.columns]
        origins = [rel.table] + [v for v in views_of[rel.table] if exposes(v, rel.table, own_cols)]
        targets = [(rel.foreign_table, False)] + [
            (v, True)
            for v in views_of[rel.foreign_table]
            if exposes(v, rel.foreign_table, foreign_cols)
        ]
        for origin in origins:
            for target, target_is_view in targets:
                if origin == rel.table and target == rel.foreign_table:
                    continue
                rels.append(
                    replace(rel, table=origin, foreign_table=target, foreign_is_view=target_is_view)
                )
    return rels


def _many_to_many(
    foreign_keys: list[Relationship], primary_keys: dict[QualifiedName, tuple[str, ...]]
) -> list[Relationship]:
    """A junction table: two FKs whose columns are all part of the junction's primary key.

    `foreign_keys` holds each FK once, in its own direction (junction -> referenced table).
    """
    outgoing: dict[QualifiedName, list[Relationship]] = defaultdict(list)
    for rel in foreign_keys:
        outgoing[rel.table].append(rel)
    rels: list[Relationship] = []
    for junction_table, fks in outgoing.items():
        pk = set(primary_keys.get(junction_table, ()))
        for source in fks:
            for target in fks:
                if source is target or source.foreign_table == junction_table:
                    continue
                cols = {c for c, _ in source.columns} | {c for c, _ in target.columns}
                if not pk or not cols <= pk:
                    continue
                junction = Junction(
                    table=junction_table,
                    constraint_source=source.constraint,
                    constraint_target=target.constraint,
                    source_columns=tuple((fc, c) for c, fc in source.columns),
                    target_columns=tuple((fc, c) for c, fc in target.columns),
                )
                rels.append(
                    Relationship(
                        source.foreign_table,
                        target.foreign_table,
                        Cardinality.MANY_TO_MANY,
                        junction_table[1],
                        (),
                        junction=junction,
                    )
                )
    return rels


def _routine(row: tuple) -> Routine:
    (
        schema,
        name,
        arg_names,
        arg_modes,
        arg_types,
        n_args,
        n_defaults,
        _has_variadic,
        ret_schema,
        ret_type,
        returns_set,
        composite,
        volatility,
        table_name,
        description,
    ) = row
    modes = list(arg_modes) or ["i"] * len(arg_types)
    names = list(arg_names) + [""] * (len(arg_types) - len(arg_names))
    inputs = [
        (names[i], arg_types[i], modes[i])
        for i in range(len(arg_types))
        if modes[i] in ("i", "b", "v")
    ]
    params = tuple(
        RoutineParam(
            name=arg_name,
            data_type=arg_type,
            required=index < n_args - n_defaults,
            variadic=mode == "v",
        )
        for index, (arg_name, arg_type, mode) in enumerate(inputs)
    )
    return Routine(
        schema=schema,
        name=name,
        params=params,
        return_schema=ret_schema,
        return_type=ret_type,
        returns_set=returns_set,
        returns_composite=composite,
        volatility=Volatility(volatility),
        table_name=table_name,
        description=description,
    )
