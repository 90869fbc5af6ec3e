"""A user's statements, run as that user on the service's own connection pool.

The pool logs in as a role that may switch to the signed-in roles (`authenticated` and the
admin's and superadmin's roles; locally `authenticator`, as PostgREST does). Each statement
runs in a transaction opened exactly as PostgREST opens one: `BEGIN ISOLATION LEVEL READ
COMMITTED [READ ONLY]`, then one `select set_config(...)` of the search_path, the role's own
settings (e.g. its statement_timeout), the role and `request.jwt.claims` with the caller's
verified claims, and the request values. Postgres decides, through the same functions and
policies as behind the API. BEGIN, the settings, the statement and COMMIT leave as one
message (the simple query protocol, values quoted by psycopg's client-side binding): one
round trip and one send per statement. A pipeline of four extended-protocol statements costs
the same round trip but three times the CPU on each side, which on a busy host is what a
caller waits for.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from psycopg import AsyncClientCursor, AsyncConnection
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from pydantic import TypeAdapter

from aimodels.domain import QuotaStatus, RecordUsageResult, UsableModel
from aimodels.domain.enums import SIGNED_IN_ROLES
from aimodels.domain.reservations import UsageHold
from aimodels.proxy.caller import Caller
from aimodels.proxy.errors import ErrorCode, ProxyError, refusal
from aimodels.proxy.settings import ProxySettings

log = logging.getLogger("aimodels.proxy")

Connection = AsyncConnection[tuple[Any, ...]]

# PostgREST's search_path (the exposed schema, then db-extra-search-path as the CLI sets it).
SEARCH_PATH = '"public", "extensions"'

# The role's own settings PostgREST applies (`alter role authenticated set ...`), those the
# login role may set: read when the pool opens and on every NOTIFY pgrst (the benchmarks read
# them with it too).
ROLE_SETTINGS_QUERY = b"""
select s.name, split_part(c.setting, '=', 2)
from pg_catalog.pg_roles r, pg_catalog.unnest(r.rolconfig) as c(setting)
join pg_catalog.pg_settings s on s.name = split_part(c.setting, '=', 1)
where r.rolname = %s and s.context = 'user' and s.name <> 'default_transaction_isolation'
order by s.name
"""


RoleSettings = tuple[tuple[str, str], ...]

# A model call's hold and its settlement (the benchmarks send these very statements too).
RESERVE_STATEMENT = (
    b"select to_jsonb(h) from public.reserve_usage(model_id => %s, max_tokens => %s,"
    b" requests_count => 1, idempotency_key => %s) h"
)
SETTLE_STATEMENT = (
    b"select to_jsonb(r) from public.settle_usage(reservation_id => %s, tokens_used => %s) r"
)

_LISTEN_RETRY_S = 1.0


def _as_role_settings(rows: Sequence[tuple[Any, ...]]) -> RoleSettings:
    return tuple((str(name), str(value)) for name, value in rows)


def read_role_settings(conn: psycopg.Connection[Any], role: str) -> RoleSettings:
    """The role's own settings as (name, value) pairs, read as the pool reads them (the
    benchmarks' synchronous connections)."""
    return _as_role_settings(conn.execute(ROLE_SETTINGS_QUERY, (role,)).fetchall())


class UserDatabase:
    """The RPCs of a user's request, each one transaction as that user."""

    def __init__(
        self, pool: AsyncConnectionPool[Connection], roles: Sequence[str] = SIGNED_IN_ROLES
    ) -> None:
        self._pool = pool
        self._roles = tuple(roles)
        self._role_settings: dict[str, RoleSettings] = {}

    @classmethod
    def pool_for(cls, settings: ProxySettings) -> AsyncConnectionPool[Connection]:
        return AsyncConnectionPool(
            settings.db_url.get_secret_value(),
            min_size=min(4, settings.db_pool_size),
            max_size=settings.db_pool_size,
            timeout=settings.db_pool_timeout,
            open=False,
            name="aimodels-proxy",
            # Autocommit: each statement's own BEGIN ... COMMIT travels with it.
            kwargs={"autocommit": True, "application_name": "aimodels-proxy"},
        )

    def role_settings(self, role: str) -> RoleSettings:
        """The settings a transaction as `role` applies, as of the last read."""
        return self._role_settings.get(role, ())

    async def load_role_settings(self) -> None:
        """Each role's own settings."""
        loaded: dict[str, RoleSettings] = {}
        async with self._pool.connection() as conn:
            for role in self._roles:
                cursor = await conn.execute(ROLE_SETTINGS_QUERY, (role,))
                loaded[role] = _as_role_settings(await cursor.fetchall())
            await conn.commit()
        self._role_settings = loaded

    async def follow_role_settings(self, conninfo: str) -> None:
        """Reads the role's settings again on every `NOTIFY pgrst`, as PostgREST reads its
        config again: an `alter role ... set` reaches the next transaction without a restart.
        Runs until cancelled. Any failure is logged and followed by listening again: a
        listener that stopped would leave every later change waiting for a restart."""
        while True:
            try:
                async with await AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute("LISTEN pgrst")
                    await self.load_role_settings()  # whatever changed while not listening
                    async for _ in conn.notifies():
                        await self.load_role_settings()
            except (psycopg.Error, PoolTimeout) as error:
                # The class only: a connection error's text can name the host and user.
                log.warning("role settings listener: %s; listening again", type(error).__name__)
            except Exception as error:  # any other failure: see the docstring
                log.error(
                    "role settings listener failed unexpectedly: %s; listening again",
                    type(error).__name__,
                )
            await asyncio.sleep(_LISTEN_RETRY_S)

    async def usable_models(self, caller: Caller) -> list[UsableModel]:
        rows = await self._run(
            caller, "usable_models", b"select to_jsonb(m) from public.usable_models() m", ()
        )
        return TypeAdapter(list[UsableModel]).validate_python([row[0] for row in rows])

    async def visible_model_id(self, caller: Caller, name: str) -> UUID | None:
        """The id of the model of that exact name the caller's organization can see."""
        rows = await self._run(
            caller,
            "visible_model_id",
            b"select public.visible_model_id(model_name => %s)",
            (name,),
        )
        return UUID(str(rows[0][0])) if rows and rows[0][0] is not None else None

    async def quota_status(self, caller: Caller, model_id: UUID) -> QuotaStatus:
        rows = await self._run(
            caller,
            "quota_status",
            b"select to_jsonb(q) from public.quota_status(model_id => %s) q",
            (model_id,),
        )
        return QuotaStatus.model_validate(rows[0][0])

    async def reserve(
        self, caller: Caller, model_id: UUID, tokens: int, idempotency_key: str | None
    ) -> UsageHold:
        rows = await self._run(
            caller,
            "reserve_usage",
            RESERVE_STATEMENT,
            (model_id, tokens, idempotency_key),
            read_only=False,
        )
        return UsageHold.model_validate(rows[0][0])

    async def settle(self, caller: Caller, hold_id: UUID, tokens_used: int) -> RecordUsageResult:
        rows = await self._run(
            caller,
            "settle_usage",
            SETTLE_STATEMENT,
            (hold_id, tokens_used),
            read_only=False,
        )
        return RecordUsageResult.model_validate(rows[0][0])

    async def release(self, caller: Caller, hold_id: UUID) -> None:
        await self._run(
            caller,
            "release_usage",
            b"select 1 from public.release_usage(reservation_id => %s)",
            (hold_id,),
            read_only=False,
        )

    async def _run(
        self,
        caller: Caller,
        name: str,
        statement: bytes,
        params: tuple[object, ...],
        *,
        read_only: bool = True,
    ) -> list[tuple[Any, ...]]:
        """One transaction as `caller`; the database's refusal as ours.

        Pooled connections are not pinged before use (a round trip per statement): one the
        server closed meanwhile (a restart, a `db reset`) fails on its first send and is
        dropped, and the statement runs on the next. A connection lost mid-transaction is
        retried too: at worst a hold is taken twice and the extra one expires unused;
        settling and releasing are idempotent.
        """
        attempts = self._pool.max_size + 1
        try:
            for attempt in range(1, attempts + 1):
                async with self._pool.connection() as conn:
                    try:
                        return await self._transaction(
                            conn, caller, name, statement, params, read_only
                        )
                    except psycopg.OperationalError:
                        if not conn.broken or attempt == attempts:
                            raise
                log.warning("a pooled connection was closed by the server; trying another")
            raise RuntimeError("unreachable: the last attempt returns or raises")
        except PoolTimeout:
            raise ProxyError(
                ErrorCode.SERVICE_UNAVAILABLE,
                f"the database had no free connection within {self._pool.timeout:g}s"
                f" (pool of {self._pool.max_size})",
            ) from None
        except psycopg.Error as error:
            raise _database_failure(error) from None

    async def _transaction(
        self,
        conn: Connection,
        caller: Caller,
        name: str,
        statement: bytes,
        params: tuple[object, ...],
        read_only: bool,
    ) -> list[tuple[Any, ...]]:
        query, settings = user_transaction(
            self.role_settings(caller.role),
            caller.role,
            caller.claims_json,
            name,
            statement,
            read_only=read_only,
        )
        # One message: BEGIN; the settings; the statement; COMMIT. A failing statement
        # stops the rest, and leaves the transaction aborted for the rollback below.
        cursor = AsyncClientCursor(conn)
        try:
            await cursor.execute(query, (*settings, *params))
        except psycopg.Error:
            if not conn.broken and conn.info.transaction_status is not TransactionStatus.IDLE:
                await conn.execute(b"ROLLBACK")
            raise
        # The results of BEGIN and of the settings come first: the statement's is the third.
        cursor.nextset()
        cursor.nextset()
        return await cursor.fetchall()


_BEGIN = b"BEGIN ISOLATION LEVEL READ COMMITTED"
_BEGIN_READ_ONLY = b"BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY"


def transaction_opening(
    role_settings: Sequence[tuple[str, str]],
    role: str,
    claims_json: str,
    name: str,
    *,
    read_only: bool,
) -> tuple[bytes, tuple[str, ...]]:
    """How PostgREST opens a user's transaction for the RPC `name`: BEGIN, then one `select
    set_config(...)` of the search_path, the role's own settings, the role, the claims and
    the request values. Returns the statements and the values of their placeholders."""
    settings: list[str] = ["search_path", SEARCH_PATH]
    for setting in role_settings:
        settings.extend(setting)
    settings += [
        "role", role,
        "request.jwt.claims", claims_json,
        "request.method", "GET" if read_only else "POST",
        "request.path", f"/rpc/{name}",
        "request.headers", "{}",
        "request.cookies", "{}",
    ]  # fmt: skip
    set_locals = b"select " + b", ".join([b"set_config(%s, %s, true)"] * (len(settings) // 2))
    begin = _BEGIN_READ_ONLY if read_only else _BEGIN
    return begin + b";\n" + set_locals, tuple(settings)


def user_transaction(
    role_settings: Sequence[tuple[str, str]],
    role: str,
    claims_json: str,
    name: str,
    statement: bytes,
    *,
    read_only: bool,
) -> tuple[bytes, tuple[str, ...]]:
    """The user's whole transaction as one message: the opening, `statement`, COMMIT. The
    settings' values fill its placeholders ahead of the statement's own."""
    opening, settings = transaction_opening(
        role_settings, role, claims_json, name, read_only=read_only
    )
    return b";\n".join((opening, statement, b"COMMIT")), settings


def _database_failure(error: psycopg.Error) -> ProxyError:
    """A refusal by its SQLSTATE; anything else a 503 naming the SQLSTATE, never the text
    (it could quote a value of the request)."""
    diag = error.diag
    sqlstate = diag.sqlstate or ""
    known = refusal(sqlstate, diag.message_primary, diag.message_detail)
    if known is not None:
        return known
    if not sqlstate:
        return ProxyError(
            ErrorCode.SERVICE_UNAVAILABLE,
            f"the database is unreachable ({type(error).__name__})",
        )
    log.warning("a statement failed with SQLSTATE %s (%s)", sqlstate, type(error).__name__)
    return ProxyError(ErrorCode.SERVICE_UNAVAILABLE, f"the database answered SQLSTATE {sqlstate}")
