"""Keeps the schema cache current: loaded on first use, reloaded on `NOTIFY pgrst`.

PostgREST listens on the `pgrst` channel; `NOTIFY pgrst, 'reload schema'` (or an empty
payload) rebuilds the cache, so DDL applied after the gateway started becomes visible.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from aimodels.gateway.db import RoleSettings, load_role_settings
from aimodels.gateway.rest import errors
from aimodels.gateway.rest.schema_cache import SchemaCache, load_schema_cache

log = logging.getLogger("aimodels.gateway.rest")

# PostgREST reloads its schema cache on "reload schema" (or nothing) and its config, which
# holds the roles' settings, on "reload config"; both reload everything here.
RELOAD_PAYLOADS = ("", "reload schema", "reload config")


class SchemaCacheHolder:
    """The current cache, one reload at a time, plus the listener task."""

    def __init__(self, pool: AsyncConnectionPool, conninfo: str, schemas: tuple[str, ...]) -> None:
        self._pool = pool
        self._conninfo = conninfo
        self._schemas = schemas
        self._cache: SchemaCache | None = None
        self._role_settings: dict[str, RoleSettings] = {}
        self._lock = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None

    async def get(self) -> SchemaCache:
        if self._cache is None:
            await self.reload()
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen())
        if self._cache is None:
            raise errors.schema_cache_unavailable()
        return self._cache

    def role_settings(self, role: str) -> RoleSettings:
        """The settings a request switching to `role` applies (as of the last reload)."""
        return self._role_settings.get(role, ())

    async def problem(self) -> str | None:
        """For `/ready`: None once a cache is loaded (loading it now if need be)."""
        try:
            await self.get()
        except errors.ApiError:
            return "the schema cache is not loaded"
        return None

    async def reload(self) -> None:
        async with self._lock:
            try:
                async with self._pool.connection() as conn, conn.transaction():
                    self._cache = await load_schema_cache(conn, self._schemas)
                    self._role_settings = await load_role_settings(conn)
            except Exception as error:  # any failure: keep serving the old cache
                log.warning("schema cache load failed: %s", error)
                if self._cache is None:
                    raise errors.schema_cache_unavailable() from error

    async def _listen(self) -> None:
        try:
            async with await AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
                await conn.execute("LISTEN pgrst")
                async for notice in conn.notifies():
                    if notice.payload.strip() in RELOAD_PAYLOADS:
                        await self.reload()
        except Exception as error:
            log.warning("schema cache listener stopped: %s", error)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
