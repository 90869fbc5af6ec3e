"""The request transaction never leaks or keeps a connection its backend lost.

Runs `request_transaction` on a small pool of its own against the test stack's Postgres:
each request's statement is terminated by another connection while it runs (the pipeline
is still busy), and the pool must hand out a working connection afterwards, every time.
"""

from __future__ import annotations

import asyncio
import contextlib

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from aimodels.gateway.db import Connection, Statement, request_transaction
from aimodels.stack.state import StackInfo

pytestmark = pytest.mark.stack

APPLICATION = "aimodels-pool-recovery-test"
POOL_MAX = 2
ROUNDS = POOL_MAX * 3


def _pool(stack: StackInfo) -> AsyncConnectionPool[Connection]:
    return AsyncConnectionPool(
        stack.db_url,
        min_size=1,
        max_size=POOL_MAX,
        open=False,
        timeout=5,
        kwargs={"autocommit": False, "application_name": APPLICATION},
        check=None,
    )


def _transaction(pool: AsyncConnectionPool[Connection], query: bytes, *, read_only: bool):  # type: ignore[no-untyped-def]
    return request_transaction(
        pool,
        role="authenticated",
        claims_json='{"role":"authenticated"}',
        method="POST",
        path="/rpc/test",
        headers_json="{}",
        read_only=read_only,
        first=Statement(query, {}),
    )


async def _terminate_while_running(conninfo: str) -> None:
    """Terminate the pool's backends whenever they run the sleeping statement, until cancelled.

    The gateway retries a statement whose connection was found broken before anything could
    commit, so every attempt must be killed for the request to fail.
    """
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        while True:
            await conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity"
                " where application_name = %s and state = 'active'"
                " and query like '%%pg_sleep%%'",
                (APPLICATION,),
            )
            await asyncio.sleep(0.01)


async def _killed_request(pool: AsyncConnectionPool[Connection], conninfo: str) -> None:
    killer = asyncio.create_task(_terminate_while_running(conninfo))
    try:
        with pytest.raises(psycopg.OperationalError):
            async with _transaction(pool, b"select pg_sleep(5)", read_only=False):
                pass
    finally:
        killer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await killer


async def _healthy_request(pool: AsyncConnectionPool[Connection]) -> object:
    async with _transaction(pool, b"select 42", read_only=True) as tx:
        return tx.first_row


def test_pool_serves_after_every_backend_dies_mid_pipeline(stack: StackInfo) -> None:
    async def scenario() -> list[object]:
        pool = _pool(stack)
        await pool.open()
        try:
            answers = []
            for _ in range(ROUNDS):
                await _killed_request(pool, stack.db_url)
                # More rounds than the pool has connections: a leaked one would exhaust it.
                answers.append(await asyncio.wait_for(_healthy_request(pool), timeout=10))
            return answers
        finally:
            await pool.close()

    assert asyncio.run(scenario()) == [(42,)] * ROUNDS
