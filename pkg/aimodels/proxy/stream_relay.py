"""Relays a provider's event stream to the client, then settles what was delivered.

A plain ASGI response rather than Starlette's StreamingResponse, because the settlement must
run however the stream ends: normally, the provider breaking off, or the client going away
(noticed by listening for `http.disconnect` while relaying). It runs shielded from the
cancellation that ends the relay. Only content the client was sent is counted.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from pydantic import ValidationError
from starlette.types import Receive, Scope, Send

from aimodels.proxy.accounting import Delivered
from aimodels.proxy.errors import ProxyError
from aimodels.proxy.provider_client import ProviderBrokeOff, ProviderStream
from aimodels.proxy.sse import DONE, event, read_events
from aimodels.proxy.wire import Usage

Finish = Callable[[Delivered], Awaitable[None]]


class StreamRelay:
    def __init__(
        self, upstream: ProviderStream, *, client_wants_usage: bool, finish: Finish
    ) -> None:
        self.upstream = upstream
        self.client_wants_usage = client_wants_usage
        self._finish = finish
        self._finished = False
        self.delivered = Delivered()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:

                async def watch_disconnect() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(watch_disconnect)
                try:
                    await self._relay(send)
                finally:
                    group.cancel_scope.cancel()
        except OSError:
            pass  # the client went away while being sent a chunk
        finally:
            with anyio.CancelScope(shield=True):
                await self.upstream.aclose()
                await self.finish()

    async def finish(self) -> None:
        """Settle (or release) once, however the stream ended."""
        if not self._finished:
            self._finished = True
            await self._finish(self.delivered)

    async def _relay(self, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                ],
            }
        )
        try:
            async for payload in read_events(self.upstream.lines()):
                if payload == DONE:
                    # Settled before the client sees the end: once its stream is done, its
                    # quota already shows the call.
                    with anyio.CancelScope(shield=True):
                        await self.finish()
                    await self._send(send, event(DONE))
                    break
                forwarded = self._take(payload)
                if forwarded is not None:
                    await self._send(send, forwarded[0])
                    self.delivered.add(forwarded[1])
        except ProviderBrokeOff as broke_off:
            # The provider broke off mid-stream: settle what was sent, then say so in OpenAI's
            # in-stream error shape.
            failure: ProxyError = broke_off.failure
            with anyio.CancelScope(shield=True):
                await self.finish()
            await self._send(send, event(failure.body().model_dump()))
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _take(self, payload: str) -> tuple[bytes, str] | None:
        """The bytes to forward and the content they carry; None to forward nothing."""
        try:
            chunk: dict[str, Any] = json.loads(payload)
        except ValueError:
            return None
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            with contextlib.suppress(ValidationError):
                self.delivered.reported = Usage.model_validate(usage)
        choices = chunk.get("choices") or []
        content = "".join(
            str((choice.get("delta") or {}).get("content") or "")
            for choice in choices
            if isinstance(choice, dict)
        )
        if not self.client_wants_usage and usage is not None:
            if not choices:
                return None  # the usage chunk the caller did not ask for
            chunk.pop("usage")
            return event(chunk), content
        return event(payload), content

    @staticmethod
    async def _send(send: Send, body: bytes) -> None:
        await send({"type": "http.response.body", "body": body, "more_body": True})
