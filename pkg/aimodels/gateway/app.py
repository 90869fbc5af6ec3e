"""The gateway's ASGI app: `/auth/v1` (GoTrue-compatible) and `/rest/v1` (PostgREST-compatible).

Both halves get one `GatewayContext` (settings and the two connection pools); the pools open
and close with the app's lifespan. Edge behaviour (CORS, body limit, access log) wraps both,
as Kong does in front of the CLI's containers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from aimodels.gateway.accesslog import AccessLogMiddleware
from aimodels.gateway.db import Connection, create_auth_pool, create_rest_pool
from aimodels.gateway.edge import HeaderLimitMiddleware, RequestBodyMiddleware
from aimodels.gateway.health import Readiness, health_endpoints
from aimodels.gateway.middleware import CorsMiddleware
from aimodels.gateway.settings import GatewaySettings

log = logging.getLogger("aimodels.gateway")


@dataclass(frozen=True)
class GatewayContext:
    """What every route of the gateway may use; built once per app."""

    settings: GatewaySettings
    rest_pool: AsyncConnectionPool[Connection]
    auth_pool: AsyncConnectionPool[Connection]
    # What `/ready` waits for besides the database (the REST half adds its schema cache).
    readiness: Readiness = field(default_factory=Readiness)


def create_app(settings: GatewaySettings) -> Starlette:
    """Build the app; pools are created here and opened by the lifespan."""
    context = GatewayContext(
        settings=settings,
        rest_pool=create_rest_pool(settings),
        auth_pool=create_auth_pool(settings),
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await context.rest_pool.open()
        await context.auth_pool.open()
        log.info("gateway listening on http://%s:%d", settings.host, settings.port)
        try:
            yield
        finally:
            await context.rest_pool.close()
            await context.auth_pool.close()

    health, ready = health_endpoints(context.rest_pool, context.readiness)
    routes: list[BaseRoute] = [
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/ready", ready, methods=["GET", "HEAD"]),
        Mount("/auth/v1", routes=_auth_routes(context)),
        Mount("/rest/v1", routes=_rest_routes(context)),
    ]
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(AccessLogMiddleware, settings=settings),
            Middleware(HeaderLimitMiddleware),
            Middleware(CorsMiddleware),
            Middleware(
                RequestBodyMiddleware,
                max_body_bytes=settings.max_body_bytes,
                read_timeout=settings.body_read_timeout,
            ),
        ],
        exception_handlers={404: _no_route, 405: _method_not_allowed, Exception: _unexpected},
        lifespan=lifespan,
    )


def _auth_routes(context: GatewayContext) -> Sequence[BaseRoute]:
    from aimodels.gateway.auth.routes import build_auth_routes

    return build_auth_routes(context)


def _rest_routes(context: GatewayContext) -> Sequence[BaseRoute]:
    # Imported lazily: the REST half is written in parallel and may not exist yet.
    try:
        from aimodels.gateway.rest.routes import build_rest_routes
    except ImportError as error:
        log.warning("REST API not mounted (aimodels.gateway.rest.routes: %s)", error)
        return []
    return build_rest_routes(context)


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    """A JSON 405 for a method no route takes (REST takes every method and answers itself)."""
    from aimodels.gateway.auth.errors import AuthError, render_error

    if request.url.path.startswith("/auth/v1"):
        error = AuthError(405, "method_not_allowed", f"Method {request.method} not allowed")
        response = render_error(error, request.headers)
    else:
        response = JSONResponse({"message": "Method not allowed"}, status_code=405)
    allow = (getattr(exc, "headers", None) or {}).get("Allow")
    if allow:
        response.headers["Allow"] = allow
    return response


async def _unexpected(_request: Request, _exc: Exception) -> Response:
    """Kong's JSON body for a 500, instead of a text one (the error is still logged)."""
    return JSONResponse({"message": "An unexpected error occurred"}, status_code=500)


async def _no_route(_request: Request, _exc: Exception) -> Response:
    """Kong's answer for a path no service matches."""
    return JSONResponse({"message": "no Route matched with those values"}, status_code=404)
