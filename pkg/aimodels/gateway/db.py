"""Connection pools and the per-request transaction, opened exactly as PostgREST opens it.

PostgREST (`Query/PreQuery.hs` `txVarQuery`) runs every request as:
    BEGIN ISOLATION LEVEL READ COMMITTED [READ ONLY]
    select set_config('search_path', ..., true), <the role's own settings, cached>,
           set_config('role', ..., true),
           set_config('request.jwt.claims', ..., true), set_config('request.method', ..., true),
           set_config('request.path', ..., true), set_config('request.headers', ..., true),
           set_config('request.cookies', ..., true)
    <main query>
    COMMIT
so RLS policies, `auth.uid()` and `auth.jwt()` see the same values they would see on Supabase.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import AsyncConnection, IsolationLevel, sql
from psycopg_pool import AsyncConnectionPool

from aimodels.gateway.settings import GatewaySettings

Connection = AsyncConnection[tuple[object, ...]]

log = logging.getLogger("aimodels.gateway.db")

RECONNECT_GIVE_UP_SECONDS = 8.0
CONNECT_TIMEOUT_SECONDS = 5


def create_rest_pool(settings: GatewaySettings) -> AsyncConnectionPool[Connection]:
    """The API pool: logs in as `authenticator`, switches role per request. Not yet open.

    No check on checkout: `request_transaction` retries a connection found closed instead.
    """
    return _create_pool(
        settings.db_url.get_secret_value(),
        settings.rest_pool_min,
        settings.rest_pool_max,
        name="rest",
        timeout=settings.pool_acquisition_timeout,
        check=False,
    )


def create_auth_pool(settings: GatewaySettings) -> AsyncConnectionPool[Connection]:
    """The auth pool: logs in as `supabase_auth_admin`, owner of the auth tables."""
    return _create_pool(
        settings.auth_db_url.get_secret_value(),
        settings.auth_pool_min,
        settings.auth_pool_max,
        name="auth",
        timeout=settings.pool_acquisition_timeout,
    )


def _create_pool(
    conninfo: str, min_size: int, max_size: int, *, name: str, timeout: float, check: bool = True
) -> AsyncConnectionPool[Connection]:
    return AsyncConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        name=name,
        open=False,
        timeout=timeout,
        # psycopg_pool retries a failed connect with doubling delays until it gives up, and
        # starts a fresh series on the next checkout. Giving up early keeps the delays short,
        # so the pool notices a database that came back within seconds, even after a long
        # outage (the default 5 minutes would let the delay grow past two minutes).
        reconnect_timeout=RECONNECT_GIVE_UP_SECONDS,
        # Transactions are explicit (`conn.transaction()`), so autocommit stays off.
        kwargs={
            "autocommit": False,
            "application_name": f"aimodels-gateway-{name}",
            # An unreachable host must not hold a connect attempt for long either.
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        },
        check=AsyncConnectionPool.check_connection if check else None,
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


# A role's own settings (`alter role anon set statement_timeout = '3s'`), as pairs.
RoleSettings = tuple[tuple[str, str], ...]

# PostgREST (`Query/PreQuery.hs`, impersonated role settings): search_path, then the settings
# of the role the request switches to, then the role and the request values. Postgres
# evaluates a select list left to right, so they apply in this order.
_REQUEST_LOCALS = (
    " set_config('role', %(role)s, true),"
    " set_config('request.jwt.claims', %(claims)s, true),"
    " set_config('request.method', %(method)s, true),"
    " set_config('request.path', %(path)s, true),"
    " set_config('request.headers', %(headers)s, true),"
    " set_config('request.cookies', %(cookies)s, true)"
)


@lru_cache(maxsize=32)
def set_locals_statement(role_settings_count: int) -> bytes:
    """The settings statement for a role with that many settings of its own."""
    role_settings = "".join(
        f" set_config(%(role_setting_{i})s, %(role_value_{i})s, true),"
        for i in range(role_settings_count)
    )
    return (
        "select set_config('search_path', %(search_path)s, true)," + role_settings + _REQUEST_LOCALS
    ).encode()


# PostgREST's `queryRoleSettings` (Postgres 15+): the settings of every role the login role
# may switch to, only those it may set itself (user context, or a SET privilege), without
# default_transaction_isolation. Loaded with the schema cache, as PostgREST loads them with
# its config: a change applies after `NOTIFY pgrst` ('reload config' or 'reload schema').
ROLE_SETTINGS_QUERY = b"""
with role_setting as (
  select r.rolname, pg_catalog.unnest(r.rolconfig) as setting
  from pg_catalog.pg_auth_members m
  join pg_catalog.pg_roles r on r.oid = m.roleid
  where m.member = current_user::regrole::oid
),
kv_settings as (
  select rolname,
    pg_catalog.substr(setting, 1, pg_catalog.strpos(setting, '=') - 1) as key,
    pg_catalog.substr(setting, pg_catalog.strpos(setting, '=') + 1) as value
  from role_setting
)
select kv.rolname, kv.key, kv.value
from kv_settings kv
join pg_catalog.pg_settings ps on ps.name = kv.key and (
  ps.context = 'user'
  or pg_catalog.has_parameter_privilege(current_user::regrole::oid, ps.name, 'set'))
where kv.key <> 'default_transaction_isolation'
order by kv.rolname, kv.key
"""


async def load_role_settings(conn: Connection) -> dict[str, RoleSettings]:
    """Role name -> its settings, for every role the login role may switch to."""
    cursor = await conn.execute(ROLE_SETTINGS_QUERY)
    collected: dict[str, list[tuple[str, str]]] = {}
    for rolname, key, value in await cursor.fetchall():
        collected.setdefault(str(rolname), []).append((str(key), str(value)))
    return {role: tuple(pairs) for role, pairs in collected.items()}


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement and its bound values, as the REST layer builds them."""

    text: sql.Composed | sql.SQL | bytes
    params: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class RequestTransaction:
    """The open transaction and the first row of the statement sent along with its start."""

    conn: Connection
    first_row: tuple[Any, ...] | None


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
    first: Statement | None = None,
    commit_with_first: bool = False,
    role_settings: RoleSettings = (),
) -> AsyncIterator[RequestTransaction]:
    """One PostgREST-style transaction: commit on success, roll back on any exception.

    BEGIN, the settings and `first` (the request's main statement) go in one pipeline, so
    they cost one round trip, as PostgREST's pipelined hasql session does; COMMIT is the
    second. With `commit_with_first` (a read whose result nothing can veto), COMMIT joins
    that round trip too. A role that does not exist makes Postgres raise 22023; the REST
    layer maps it.
    """
    settings = {
        "search_path": search_path_value(schema, extra_search_path),
        "role": role,
        "claims": claims_json,
        "method": method,
        "path": path,
        "headers": headers_json,
        "cookies": cookies_json,
    }
    for index, (name, value) in enumerate(role_settings):
        settings[f"role_setting_{index}"] = name
        settings[f"role_value_{index}"] = value
    set_locals = set_locals_statement(len(role_settings))
    conn, first_row = await _begin(pool, set_locals, settings, read_only, first, commit_with_first)
    failed = True
    try:
        yield RequestTransaction(conn, first_row)
        await conn.commit()
        failed = False
    finally:
        await _release(pool, conn, failed=failed)


async def _begin(
    pool: AsyncConnectionPool[Connection],
    set_locals: bytes,
    settings: Mapping[str, str],
    read_only: bool,
    first: Statement | None,
    commit: bool,
) -> tuple[Connection, tuple[Any, ...] | None]:
    """Check out a connection and run BEGIN + settings + `first` in one round trip.

    Connections are not pinged on checkout (that would be a round trip per request): one
    the server closed meanwhile fails here, before anything could commit, and is dropped;
    the next idle one (or a new one) is tried, as the pool's check would have done.
    """
    attempts = pool.max_size + 1
    for attempt in range(1, attempts + 1):
        conn = await pool.getconn()
        try:
            return conn, await _send_first(conn, set_locals, settings, read_only, first, commit)
        except psycopg.OperationalError:
            retry = conn.broken and attempt < attempts
            await _release(pool, conn, failed=True)
            if not retry:
                raise
        except BaseException:
            await _release(pool, conn, failed=True)
            raise
    raise RuntimeError("unreachable: the last attempt returns or raises")


async def _send_first(
    conn: Connection,
    set_locals: bytes,
    settings: Mapping[str, str],
    read_only: bool,
    first: Statement | None,
    commit: bool,
) -> tuple[Any, ...] | None:
    # With autocommit off, psycopg opens the transaction with
    # `BEGIN ISOLATION LEVEL READ COMMITTED [READ ONLY]` before the first statement.
    await conn.set_isolation_level(IsolationLevel.READ_COMMITTED)
    await conn.set_read_only(read_only)
    # An error raised inside the block is kept for after it: the pipeline's closing sync
    # would otherwise log it again as "error ignored" (and raise only "pipeline aborted").
    raised: psycopg.Error | None = None
    cursor = None
    try:
        async with conn.pipeline():
            try:
                await conn.execute(set_locals, settings)
                if first is not None:
                    cursor = await conn.execute(first.text, first.params)
                if commit:
                    # Skipped by the server if anything before it failed; the caller's
                    # commit() then finds no transaction open and does nothing.
                    await conn.execute(b"COMMIT")
            except psycopg.Error as error:
                raised = error
    except psycopg.Error:
        if raised is None:
            raise
    if raised is not None:
        raise raised
    # Leaving the pipeline synced it: every result is in, the first error was raised.
    return None if cursor is None else await cursor.fetchone()


async def _release(
    pool: AsyncConnectionPool[Connection], conn: Connection, *, failed: bool
) -> None:
    """Give the connection back, always; after a failure, rolled back or else closed.

    A backend terminated mid-pipeline can leave the connection busy (results pending) while
    libpq still calls it connected, so its ROLLBACK raises too. Such a connection is closed:
    the pool then discards it and opens a new one, instead of losing it for good (a leak)
    or handing it to the next request (which would fail the same way).
    """
    try:
        if failed and not conn.broken and not conn.closed:
            await conn.rollback()
    except BaseException as error:
        log.warning("closing a REST connection that could not roll back: %s", error)
        await conn.close()
        if not isinstance(error, Exception):
            raise  # cancellation: still give the connection back (finally), then propagate
    finally:
        await pool.putconn(conn)


def headers_json_from(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """Convenience: accept a mapping or raw (name, value) pairs."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return encode_request_headers(pairs)
