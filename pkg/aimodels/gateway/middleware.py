"""Edge behaviour in front of both APIs: CORS as the CLI's Kong + PostgREST answer.

CORS: Kong's `cors` plugin (no config in the CLI's kong.yml) answers every preflight itself
with 200, `Access-Control-Allow-Origin: *`, its default method list and the requested
headers echoed; on other requests it adds `Access-Control-Allow-Origin: *`, and PostgREST
adds its `Access-Control-Expose-Headers` when the request has an Origin.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Kong 2.x cors plugin default `methods`.
ALLOW_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"
# Sent when a preflight names no headers (Kong would send none; browsers always name them).
DEFAULT_ALLOW_HEADERS = (
    "apikey, authorization, x-client-info, content-type, prefer, range, accept-profile, "
    "content-profile, x-supabase-api-version, accept"
)
# PostgREST's `Cors.hs` list, plus what supabase clients read from /rest/v1 and /auth/v1.
EXPOSE_HEADERS = (
    "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, "
    "Server, Transfer-Encoding, Range-Unit, Content-Profile, Preference-Applied, "
    "X-Total-Count, Link, X-Supabase-Api-Version"
)


class CorsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(headers, send)
            return
        has_origin = "origin" in headers

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["Access-Control-Allow-Origin"] = "*"
                if has_origin:
                    response_headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, headers: Headers, send: Send) -> None:
        allow_headers = headers.get("access-control-request-headers") or DEFAULT_ALLOW_HEADERS
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"access-control-allow-origin", b"*"),
                    (b"access-control-allow-methods", ALLOW_METHODS.encode()),
                    (b"access-control-allow-headers", allow_headers.encode("latin-1")),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
