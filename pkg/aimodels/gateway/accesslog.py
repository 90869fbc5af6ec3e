"""One access-log line per request: method, path, status, role, duration.

Never logs what could be a secret: no headers, no bodies, no query string (PostgREST filters
and `?apikey=` alike can carry sensitive values), only the path.
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aimodels.gateway.settings import GatewaySettings
from aimodels.gateway.tokens import JwtError, resolve_request_claims

log = logging.getLogger("aimodels.gateway.access")


class AccessLogMiddleware:
    """Pure ASGI middleware so streaming responses are timed to their last byte."""

    def __init__(self, app: ASGIApp, settings: GatewaySettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info(
                "%s %s %d role=%s %.1fms",
                scope["method"],
                scope["path"],
                status,
                self._role(scope),
                elapsed_ms,
            )

    def _role(self, scope: Scope) -> str:
        try:
            return resolve_request_claims(self.settings, Headers(scope=scope)).role
        except JwtError:
            return "-"
