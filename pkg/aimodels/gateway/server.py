"""Run the gateway with uvicorn: one worker (pools and rotation state live in one process)."""

from __future__ import annotations

import importlib.util
import logging

import uvicorn

from aimodels.gateway.app import create_app
from aimodels.gateway.settings import GatewaySettings


def serve(settings: GatewaySettings) -> None:
    """Serve until interrupted (SIGINT/SIGTERM shut the pools down cleanly)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    loop = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        workers=1,
        loop=loop,
        # Our own access log replaces uvicorn's, which would print query strings.
        access_log=False,
        log_level="info",
        proxy_headers=False,
    )
