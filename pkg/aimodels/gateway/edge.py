"""Limits at the edge, as Kong's nginx applies them before any upstream sees a request.

- Header size (nginx's `large_client_header_buffers 4 8k`, which Kong keeps): a request
  target over 8 KiB is 414, one header line over 8 KiB or all of them over 32 KiB is Kong's
  494 "Request header or cookie too large". This also bounds a bearer token to 8 KiB, so a
  token swollen by user metadata is refused before anyone verifies or caches it.
- The body is read whole, within `max_body_bytes` (413) and with nginx's
  `client_body_timeout` between two reads (408), BEFORE the request reaches a handler: no
  handler can hold a database connection while a slow client trickles its body in.
- A client that leaves before its body is in gets no answer and no traceback: the access
  log records it once, as nginx's 499.
"""

from __future__ import annotations

import asyncio
import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# nginx: large_client_header_buffers 4 8k (Kong's default).
MAX_HEADER_LINE_BYTES = 8 * 1024
MAX_HEADER_TOTAL_BYTES = 4 * MAX_HEADER_LINE_BYTES
MAX_REQUEST_TARGET_BYTES = MAX_HEADER_LINE_BYTES
# Kong's status and message for nginx's 494 (request header or cookie too large).
HEADER_TOO_LARGE_STATUS = 494


class HeaderLimitMiddleware:
    """414 for a request target, 494 for header lines, past nginx's buffers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") + 1
        if target > MAX_REQUEST_TARGET_BYTES:
            await reply(send, 414, "URI too long")
            return
        total = 0
        for name, value in scope["headers"]:
            # "Name: value\r\n", as nginx counts a header line in its buffer.
            line = len(name) + len(value) + 4
            total += line
            if line > MAX_HEADER_LINE_BYTES or total > MAX_HEADER_TOTAL_BYTES:
                await reply(send, HEADER_TOO_LARGE_STATUS, "Request header or cookie too large")
                return
        await self.app(scope, receive, send)


class RequestBodyMiddleware:
    """Reads the whole body first (413 over the limit, 408 when the client stalls)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, read_timeout: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout)
            except TimeoutError:
                # Kong's body for nginx's client_body_timeout.
                await reply(send, 408, "Request timeout")
                return
            if message["type"] == "http.disconnect":
                return  # the client left: nobody to answer (the access log says 499)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _too_large(self, send: Send) -> None:
        await reply(send, 413, f"Request body exceeds the limit of {self.max_body_bytes} bytes")


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body as one message, then the client's own messages (its disconnect)."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replayed


async def reply(send: Send, status: int, message: str) -> None:
    """A Kong-style JSON error; the connection closes (the rest of the request is unread)."""
    body = json.dumps({"message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
