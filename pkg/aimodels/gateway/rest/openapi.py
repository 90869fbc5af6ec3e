"""GET / : the Swagger 2.0 description of the exposed schema (PostgREST's Response/OpenAPI.hs).

Follows privileges like PostgREST's default `openapi-mode`: only tables the caller's role can
use are listed; functions are those the role may execute.
"""

from __future__ import annotations

from psycopg import AsyncConnection

from aimodels.gateway.rest.schema_cache import Column, Routine, SchemaCache, Table, Volatility

_ACCESSIBLE_SQL = """
select c.relname from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('v', 'r', 'm', 'f', 'p') and n.nspname = %(schema)s and not c.relispartition
  and (pg_catalog.pg_has_role(c.relowner, 'USAGE')
       or pg_catalog.has_table_privilege(c.oid,
            'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
       or pg_catalog.has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
union all
select '(rpc) ' || p.proname from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = %(schema)s and pg_catalog.has_function_privilege(p.oid, 'execute')
"""


async def accessible_tables(conn: AsyncConnection, schema: str) -> frozenset[str]:
    async with conn.cursor() as cur:
        await cur.execute(_ACCESSIBLE_SQL, {"schema": schema})
        return frozenset(row[0] for row in await cur.fetchall())


def _swagger_type(data_type: str) -> str | None:
    if data_type == "boolean":
        return "boolean"
    if data_type in ("smallint", "integer", "bigint"):
        return "integer"
    if data_type in ("numeric", "real", "double precision") or data_type.startswith("numeric("):
        return "number"
    if data_type in ("json", "jsonb"):
        return None
    return "array" if data_type.endswith("[]") else "string"


def _format(data_type: str) -> str:
    return {"smallint": "int32", "integer": "int32", "bigint": "int64"}.get(data_type, data_type)


def _property(table: Table, column: Column, fks: dict[str, tuple[str, str]]) -> dict[str, object]:
    notes = ["Note:"]
    if column.name in table.primary_key:
        notes.append("This is a Primary Key.<pk/>")
    if column.name in fks:
        f_table, f_col = fks[column.name]
        notes.append(
            f"This is a Foreign Key to `{f_table}.{f_col}`.<fk table='{f_table}' column='{f_col}'/>"
        )
    description = column.description
    if len(notes) > 1:
        description = (f"{description}\n\n" if description else "") + "\n".join(notes)
    prop: dict[str, object] = {"format": _format(column.data_type)}
    swagger_type = _swagger_type(column.data_type)
    if swagger_type is not None:
        prop["type"] = swagger_type
    if swagger_type == "array":
        item_type = _swagger_type(column.data_type[:-2])
        prop["items"] = {"type": item_type} if item_type else {}
    if description:
        prop["description"] = description
    if column.max_length is not None:
        prop["maxLength"] = column.max_length
    if column.enum_values:
        prop["enum"] = list(column.enum_values)
    return prop


def _definition(table: Table, cache: SchemaCache) -> dict[str, object]:
    fks: dict[str, tuple[str, str]] = {}
    for rel in cache.relationships.get((table.schema, table.name), ()):
        if rel.is_to_one and len(rel.columns) == 1 and rel.columns[0][0] not in fks:
            fks[rel.columns[0][0]] = (rel.foreign_table[1], rel.columns[0][1])
    definition: dict[str, object] = {
        "properties": {c.name: _property(table, c, fks) for c in table.columns.values()},
        "type": "object",
    }
    required = [c.name for c in table.columns.values() if not c.nullable]
    if required:
        definition["required"] = required
    if table.description:
        definition["description"] = table.description
    return definition


def _table_path(table: Table) -> dict[str, object]:
    name = table.name
    filters = [{"$ref": f"#/parameters/rowFilter.{name}.{c}"} for c in table.columns]
    get = {
        "tags": [name],
        "parameters": filters
        + [
            {"$ref": f"#/parameters/{p}"}
            for p in ("select", "order", "range", "rangeUnit", "offset", "limit", "preferCount")
        ],
        "responses": {
            "200": {
                "description": "OK",
                "schema": {"items": {"$ref": f"#/definitions/{name}"}, "type": "array"},
            },
            "206": {"description": "Partial Content"},
        },
    }
    item: dict[str, object] = {"get": get}
    if table.insertable or table.updatable or table.deletable:
        body = {"$ref": f"#/parameters/body.{name}"}
        item["post"] = {
            "tags": [name],
            "parameters": [
                body,
                {"$ref": "#/parameters/select"},
                {"$ref": "#/parameters/preferPost"},
            ],
            "responses": {"201": {"description": "Created"}},
        }
        item["patch"] = {
            "tags": [name],
            "parameters": [*filters, body, {"$ref": "#/parameters/preferReturn"}],
            "responses": {"204": {"description": "No Content"}},
        }
        item["delete"] = {
            "tags": [name],
            "parameters": [*filters, {"$ref": "#/parameters/preferReturn"}],
            "responses": {"204": {"description": "No Content"}},
        }
    return item


def _routine_path(routine: Routine) -> dict[str, object]:
    base: dict[str, object] = {
        "tags": [f"(rpc) {routine.name}"],
        "produces": [
            "application/json",
            "application/vnd.pgrst.object+json;nulls=stripped",
            "application/vnd.pgrst.object+json",
        ],
        "responses": {"200": {"description": "OK"}},
    }
    properties = {}
    for param in routine.params:
        prop: dict[str, object] = {"format": param.data_type}
        swagger_type = _swagger_type(param.data_type)
        if swagger_type:
            prop["type"] = swagger_type
        properties[param.name] = prop
    schema: dict[str, object] = {"type": "object", "properties": properties}
    required = [p.name for p in routine.params if p.required]
    if required:
        schema["required"] = required
    post = {
        **base,
        "parameters": [
            {"in": "body", "name": "args", "required": True, "schema": schema},
            {"$ref": "#/parameters/preferParams"},
        ],
    }
    item: dict[str, object] = {"post": post}
    if routine.volatility is not Volatility.VOLATILE:
        item["get"] = {
            **base,
            "parameters": [
                {
                    "format": _format(p.data_type),
                    "in": "query",
                    "name": p.name,
                    "required": p.required,
                    "type": _swagger_type(p.data_type)
                    if _swagger_type(p.data_type) not in (None, "array")
                    else "string",
                }
                for p in routine.params
            ],
        }
    return item


def _string_param(name: str, where: str, description: str) -> dict[str, object]:
    return {
        "name": name,
        "description": description,
        "required": False,
        "in": where,
        "type": "string",
    }


def _prefer(values: list[str]) -> dict[str, object]:
    param: dict[str, object] = {
        "name": "Prefer",
        "description": "Preference",
        "required": False,
        "in": "header",
        "type": "string",
    }
    if values:
        param["enum"] = values
    return param


def describe(
    cache: SchemaCache, schema: str, visible: frozenset[str], host: str | None
) -> dict[str, object]:
    tables = sorted(
        (t for (s, n), t in cache.tables.items() if s == schema and n in visible),
        key=lambda t: t.name,
    )
    routines = sorted(
        (
            r
            for (s, n), overloads in cache.routines.items()
            if s == schema and f"(rpc) {n}" in visible
            for r in overloads[:1]
        ),
        key=lambda r: r.name,
    )
    paths: dict[str, object] = {
        "/": {
            "get": {
                "tags": ["Introspection"],
                "summary": "OpenAPI description (this document)",
                "produces": ["application/openapi+json", "application/json"],
                "responses": {"200": {"description": "OK"}},
            }
        }
    }
    for table in tables:
        paths[f"/{table.name}"] = _table_path(table)
    for routine in routines:
        paths[f"/rpc/{routine.name}"] = _routine_path(routine)
    parameters: dict[str, object] = {
        "preferParams": _prefer(["params=single-object"]),
        "preferReturn": _prefer(["return=representation", "return=minimal", "return=none"]),
        "preferCount": _prefer(["count=none"]),
        "preferPost": _prefer(
            [
                "return=representation",
                "return=minimal",
                "return=none",
                "resolution=ignore-duplicates",
                "resolution=merge-duplicates",
            ]
        ),
        "select": _string_param("select", "query", "Filtering Columns"),
        "on_conflict": _string_param("on_conflict", "query", "On Conflict"),
        "order": _string_param("order", "query", "Ordering"),
        "range": _string_param("Range", "header", "Limiting and Pagination"),
        "rangeUnit": {
            **_string_param("Range-Unit", "header", "Limiting and Pagination"),
            "default": "items",
        },
        "offset": _string_param("offset", "query", "Limiting and Pagination"),
        "limit": _string_param("limit", "query", "Limiting and Pagination"),
    }
    for table in tables:
        parameters[f"body.{table.name}"] = {
            "name": table.name,
            "description": table.name,
            "required": False,
            "in": "body",
            "schema": {"$ref": f"#/definitions/{table.name}"},
        }
        for column in table.columns.values():
            param = _string_param(column.name, "query", column.description or "")
            if not column.description:
                del param["description"]
            parameters[f"rowFilter.{table.name}.{column.name}"] = param
    return {
        "swagger": "2.0",
        "info": {
            "description": "",
            "title": "standard public schema",
            "version": "16.5",
        },
        "host": host or "0.0.0.0:3000",
        "basePath": "/",
        "schemes": ["http"],
        "consumes": [
            "application/json",
            "application/vnd.pgrst.object+json;nulls=stripped",
            "application/vnd.pgrst.object+json",
            "text/csv",
        ],
        "produces": [
            "application/json",
            "application/vnd.pgrst.object+json;nulls=stripped",
            "application/vnd.pgrst.object+json",
            "text/csv",
        ],
        "paths": paths,
        "definitions": {t.name: _definition(t, cache) for t in tables},
        "parameters": parameters,
        "externalDocs": {
            "description": "PostgREST Documentation",
            "url": "https://postgrest.org/en/v16/references/api.html",
        },
    }
