"""One access-log line per request: method, path, status, role, duration.

Never logs what could be a secret: no headers, no bodies, no query string (PostgREST filters
and `?apikey=` alike can carry sensitive values), only the path.
"""

from __future__ import annotations

import logging
import re
import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aimodels.gateway.edge import HEADER_TOO_LARGE_STATUS
from aimodels.gateway.settings import GatewaySettings
from aimodels.gateway.tokens import JwtError, resolve_request_claims

log = logging.getLogger("aimodels.gateway.access")

CLIENT_CLOSED_REQUEST = 499
UNREAD_STATUSES = frozenset({414, HEADER_TOO_LARGE_STATUS})


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(path: str) -> str:
    """A decoded path may hold newlines or NULs: escaped, one request stays one line."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", path)


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
        status: int | None = None

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        failed = True
        try:
            await self.app(scope, receive, send_and_record)
            failed = False
        finally:
            # No answer and no error: the client left first (nginx logs that as 499).
            logged = status if status is not None else 500 if failed else CLIENT_CLOSED_REQUEST
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info(
                "%s %s %d role=%s %.1fms",
                scope["method"],
                _printable(scope["path"]),
                logged,
                self._role(scope, logged),
                elapsed_ms,
            )

    def _role(self, scope: Scope, status: int) -> str:
        if status in UNREAD_STATUSES:
            return "-"  # headers refused at the edge are not parsed, let alone verified
        try:
            return resolve_request_claims(self.settings, Headers(scope=scope)).role
        except JwtError:
            return "-"
