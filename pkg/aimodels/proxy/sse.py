"""Server-sent events as OpenAI streams them: `data: <json>` lines, then `data: [DONE]`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

DONE = "[DONE]"


def event(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return f"data: {data}\n\n".encode()


async def read_events(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The `data:` payloads of an event stream, `[DONE]` included; other fields skipped."""
    async for line in lines:
        if line.startswith("data:"):
            yield line[5:].strip()
