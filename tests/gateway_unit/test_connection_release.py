"""Every connection the request transaction takes goes back to the pool, closed if broken.

A backend terminated mid-pipeline can leave psycopg's connection "busy" (results still
pending) while libpq still reports it as connected: its ROLLBACK then raises too. That
connection must still be returned (else the pool shrinks until it serves nothing) and
closed first (else the pool hands the busy connection to the next request).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import pytest

from aimodels.gateway.db import Statement, request_transaction


class _BusyConnection:
    """Fails like a connection whose backend died while the pipeline was in flight."""

    def __init__(self) -> None:
        self.closed = False
        self.broken = False
        self.rollbacks = 0

    async def set_isolation_level(self, _level: object) -> None:
        pass

    async def set_read_only(self, _read_only: bool) -> None:
        pass

    @asynccontextmanager
    async def pipeline(self) -> AsyncIterator[None]:
        yield
        raise psycopg.OperationalError("cannot exit pipeline mode while busy")

    async def execute(self, *_args: object) -> None:
        return None

    async def rollback(self) -> None:
        self.rollbacks += 1
        raise psycopg.OperationalError("another command is already in progress")

    async def commit(self) -> None:
        raise AssertionError("nothing may commit after a failed BEGIN")

    async def close(self) -> None:
        self.closed = True


class _CountingPool:
    max_size = 2

    def __init__(self) -> None:
        self.handed_out: list[_BusyConnection] = []
        self.returned: list[_BusyConnection] = []

    async def getconn(self) -> _BusyConnection:
        conn = _BusyConnection()
        self.handed_out.append(conn)
        return conn

    async def putconn(self, conn: _BusyConnection) -> None:
        self.returned.append(conn)


def _open_transaction(pool: Any) -> Any:
    return request_transaction(
        pool,
        role="anon",
        claims_json='{"role":"anon"}',
        method="POST",
        path="/rpc/f",
        headers_json="{}",
        read_only=False,
        first=Statement(b"select 1", {}),
    )


def test_a_connection_that_cannot_roll_back_is_closed_and_returned() -> None:
    pool = _CountingPool()

    async def scenario() -> None:
        async with _open_transaction(pool):
            pass

    with pytest.raises(psycopg.OperationalError, match="pipeline mode while busy"):
        asyncio.run(scenario())

    assert pool.handed_out, "no connection was taken"
    assert pool.returned == pool.handed_out, "a connection was leaked"
    assert all(conn.closed for conn in pool.returned), "a busy connection went back open"
