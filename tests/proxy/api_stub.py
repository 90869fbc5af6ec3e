"""A stand-in for the API behind the service, answering every call as a saturated gateway
does (504 PGRST003: no database connection free within the pool's wait), except the one
platform read, the model's key, which it answers with `key` (unless `key` is None)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.proxy.support import free_port

SATURATED = {
    "code": "PGRST003",
    "details": None,
    "hint": None,
    "message": "Timed out acquiring connection from connection pool.",
}


def _app(key: str | None) -> Starlette:
    async def rpc(request: Request) -> Response:
        if request.path_params["name"] == "get_model_api_key" and key is not None:
            return JSONResponse(key)
        return JSONResponse(SATURATED, status_code=504)

    return Starlette(routes=[Route("/rest/v1/rpc/{name}", rpc, methods=["POST"])])


@contextmanager
def saturated_api(key: str | None) -> Iterator[str]:
    """Serve the stub on a free port for the block; yields its URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(_app(key), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API stub did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
