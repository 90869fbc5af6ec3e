"""`/health` and `/ready`: what a supervisor asks before it trusts the gateway.

`/health` is 200 only when the database answers a `select 1` through the REST pool within
the probe timeout; `/ready` also needs every readiness check (the REST schema cache) to
pass, as PostgREST's admin `/ready` waits for its schema cache. Anything else is 503 with a
short reason, so a dead pool can no longer hide behind a healthy-looking gateway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

PROBE_TIMEOUT_SECONDS = 2.0

# None when ready, else the reason it is not.
ReadinessCheck = Callable[[], Awaitable[str | None]]


@dataclass(frozen=True)
class Readiness:
    """Checks the API halves register for `/ready` (the app itself knows no schema)."""

    checks: list[ReadinessCheck] = field(default_factory=list)


async def database_problem(pool: AsyncConnectionPool, timeout: float) -> str | None:
    """None when `select 1` answers through the pool in time, else why it did not."""
    try:
        async with asyncio.timeout(timeout):
            return await _select_one(pool)
    except (TimeoutError, PoolTimeout):
        return f"the database did not answer within {timeout:g} s"
    except psycopg.Error as error:
        return "the database refused the probe: " + (str(error).splitlines() or ["?"])[0]


async def _select_one(pool: AsyncConnectionPool) -> str | None:
    # A pooled connection whose backend died answers with an error once; the pool then
    # discards it, so the probe tries the next one (as a request would) before giving up.
    for _ in range(pool.max_size + 1):
        async with pool.connection() as conn:
            try:
                await conn.execute("select 1")
                await conn.rollback()
                return None
            except psycopg.OperationalError:
                if not conn.broken:
                    raise
    return "no pooled connection reached the database"


def health_endpoints(
    pool: AsyncConnectionPool, readiness: Readiness, timeout: float = PROBE_TIMEOUT_SECONDS
) -> tuple[Callable[[Request], Awaitable[Response]], Callable[[Request], Awaitable[Response]]]:
    """The `/health` and `/ready` handlers."""

    async def health(_request: Request) -> Response:
        return _answer(await database_problem(pool, timeout))

    async def ready(_request: Request) -> Response:
        problem = await database_problem(pool, timeout)
        for check in readiness.checks:
            if problem is not None:
                break
            try:
                async with asyncio.timeout(timeout):
                    problem = await check()
            except TimeoutError:
                problem = f"not ready within {timeout:g} s"
        return _answer(problem)

    return health, ready


def _answer(problem: str | None) -> Response:
    if problem is None:
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
