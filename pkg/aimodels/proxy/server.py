"""Run the service or the development provider with uvicorn (one worker each)."""

from __future__ import annotations

import importlib.util
import logging

import uvicorn
from starlette.applications import Starlette


def serve(app: Starlette, host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    loop = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
    # uvicorn's access log is off: it would print query strings; ours prints less.
    uvicorn.run(app, host=host, port=port, workers=1, loop=loop, access_log=False)
