"""Connection pools and the per-request transaction, opened exactly as PostgREST opens it.

PostgREST (`Query/PreQuery.hs` `txVarQuery`) runs every request as:
    BEGIN ISOLATION LEVEL READ COMMITTED [READ ONLY]
    select set_config('search_path', ..., true), set_config('role', ..., true),
           set_config('request.jwt.claims', ..., true), set_config('request.method', ..., true),
           set_config('request.path', ..., true), set_config('request.headers', ..., true),
           set_config('request.cookies', ..., true)
    <main query>
    COMMIT
so RLS policies, `auth.uid()` and `auth.jwt()` see the same values they would see on Supabase.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager

from psycopg import AsyncConnection, IsolationLevel, sql
from psycopg_pool import AsyncConnectionPool

from aimodels.gateway.settings import GatewaySettings

Connection = AsyncConnection[tuple[object, ...]]


def create_rest_pool(settings: GatewaySettings) -> AsyncConnectionPool[Connection]:
    """The API pool: logs in as `authenticator`, switches role per request. Not yet open."""
    return _create_pool(
        settings.db_url.get_secret_value(),
        settings.rest_pool_min,
        settings.rest_pool_max,
        name="rest",
    )


def create_auth_pool(settings: GatewaySettings) -> AsyncConnectionPool[Connection]:
    """The auth pool: logs in as `supabase_auth_admin`, owner of the auth tables."""
    return _create_pool(
        settings.auth_db_url.get_secret_value(),
        settings.auth_pool_min,
        settings.auth_pool_max,
        name="auth",
    )


def _create_pool(
    conninfo: str, min_size: int, max_size: int, *, name: str
) -> AsyncConnectionPool[Connection]:
    return AsyncConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        name=name,
        open=False,
        # Transactions are explicit (`conn.transaction()`), so autocommit stays off.
        kwargs={"autocommit": False, "application_name": f"aimodels-gateway-{name}"},
        check=AsyncConnectionPool.check_connection,
    )


def search_path_value(schema: str, extra_search_path: Iterable[str]) -> str:
    """PostgREST's `escapeIdentList (iSchema : configDbExtraSearchPath)`."""
    names = [schema, *extra_search_path]
    return ", ".join('"' + name.replace('"', '""') + '"' for name in names)


def encode_request_headers(headers: Iterable[tuple[str, str]]) -> str:
    """`request.headers` as PostgREST sets it: lowercased names, no cookie, last one wins."""
    collected = {name.lower(): value for name, value in headers if name.lower() != "cookie"}
    return json.dumps(collected, separators=(",", ":"), ensure_ascii=False)


def encode_request_cookies(cookie_header: str | None) -> str:
    """`request.cookies` as PostgREST sets it: a JSON object of name -> value."""
    cookies: dict[str, str] = {}
    for pair in (cookie_header or "").split(";"):
        name, sep, value = pair.strip().partition("=")
        if sep and name:
            cookies[name] = value
    return json.dumps(cookies, separators=(",", ":"), ensure_ascii=False)


_SET_LOCALS = sql.SQL(
    "select set_config('search_path', %(search_path)s, true),"
    " set_config('role', %(role)s, true),"
    " set_config('request.jwt.claims', %(claims)s, true),"
    " set_config('request.method', %(method)s, true),"
    " set_config('request.path', %(path)s, true),"
    " set_config('request.headers', %(headers)s, true),"
    " set_config('request.cookies', %(cookies)s, true)"
)


@asynccontextmanager
async def request_transaction(
    pool: AsyncConnectionPool[Connection],
    *,
    role: str,
    claims_json: str,
    method: str,
    path: str,
    headers_json: str,
    read_only: bool,
    schema: str = "public",
    extra_search_path: Iterable[str] = ("public", "extensions"),
    cookies_json: str = "{}",
) -> AsyncIterator[Connection]:
    """One PostgREST-style transaction: commit on success, roll back on any exception.

    A role that does not exist makes Postgres raise 22023 here; the REST layer maps it.
    """
    async with pool.connection() as conn:
        # psycopg then sends `BEGIN ISOLATION LEVEL READ COMMITTED [READ ONLY]`.
        await conn.set_isolation_level(IsolationLevel.READ_COMMITTED)
        await conn.set_read_only(read_only)
        async with conn.transaction():
            await conn.execute(
                _SET_LOCALS,
                {
                    "search_path": search_path_value(schema, extra_search_path),
                    "role": role,
                    "claims": claims_json,
                    "method": method,
                    "path": path,
                    "headers": headers_json,
                    "cookies": cookies_json,
                },
            )
            yield conn


def headers_json_from(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """Convenience: accept a mapping or raw (name, value) pairs."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return encode_request_headers(pairs)
