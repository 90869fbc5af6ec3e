"""Run a supabase-py request and turn its JSON into typed rows, errors into ours."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar
from uuid import UUID

from postgrest import SyncSelectRequestBuilder
from pydantic import BaseModel
from supabase import Client

from aimodels.client.errors import NotFound, PermissionDenied, api_errors

Row = TypeVar("Row", bound=BaseModel)


class _Executable(Protocol):
    def execute(self) -> object: ...


def fetch_all(request: _Executable, row: type[Row]) -> list[Row]:
    """Every row the request returns, as `row` models."""
    with api_errors():
        response = request.execute()
    data = getattr(response, "data", None) or []
    return [row.model_validate(item) for item in data]


def fetch_first(request: _Executable, row: type[Row], *, missing: str) -> Row:
    """The first row, or NotFound(missing): RLS hides rows instead of refusing them."""
    rows = fetch_all(request, row)
    if not rows:
        raise NotFound(missing)
    return rows[0]


def fetch_value(request: _Executable, shape: type[Row]) -> Row:
    """An RPC's single JSON object (or a one-row set) as `shape`."""
    with api_errors():
        response = request.execute()
    data = getattr(response, "data", None)
    if isinstance(data, list):
        if not data:
            raise NotFound("the API returned no result")
        data = data[0]
    return shape.model_validate(data)


class _Id(BaseModel):
    id: UUID


def update_one(
    api: Client, table: str, row_id: UUID, payload: Mapping[str, object], row: type[Row]
) -> Row:
    """PATCH one row by id. RLS turns a forbidden update into 0 rows, so tell apart
    'you may see it but not change it' (PermissionDenied) from 'no such row' (NotFound)."""
    request = api.table(table).update(dict(payload)).eq("id", str(row_id))
    changed = fetch_all(request, row)
    if changed:
        return changed[0]
    if fetch_all(api.table(table).select("id").eq("id", str(row_id)), _Id):
        raise PermissionDenied(f"you may read {table} {row_id} but not change it")
    raise NotFound(f"no {table} row {row_id} that you may see")


def fetch_pages(
    make_request: Callable[[], SyncSelectRequestBuilder], row: type[Row], page: int = 1000
) -> list[Row]:
    """Every row across pages: the API caps one response (max_rows, 1000 by default)."""
    rows: list[Row] = []
    while True:
        batch = fetch_all(make_request().range(len(rows), len(rows) + page - 1), row)
        rows.extend(batch)
        if len(batch) < page:
            return rows
