"""Run the service or the development provider with uvicorn (one worker each)."""

from __future__ import annotations

import importlib.util
import logging

import uvicorn
from starlette.applications import Starlette


def serve(app: Starlette, host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # httpx logs every URL it calls; a provider's URL is the operator's business, not the log's.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    loop = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
    # uvicorn's access log is off: it would print query strings; ours prints less.
    uvicorn.run(app, host=host, port=port, workers=1, loop=loop, access_log=False)
