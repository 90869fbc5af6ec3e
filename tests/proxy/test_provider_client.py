"""The provider client alone, against a tiny local provider: what it sends along."""

from __future__ import annotations

import asyncio

from aiohttp import web

from aimodels.proxy.provider_client import ProviderClient, provider_session


async def _two_calls_through_one_client() -> list[str]:
    """Two calls (as two callers' would be); what cookie each one arrived with."""
    seen: list[str] = []

    async def chat(request: web.Request) -> web.Response:
        seen.append(request.headers.get("cookie", ""))
        response = web.json_response({"choices": []})
        response.set_cookie("session", "first-callers-session")
        return response

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with provider_session() as http:
            client = ProviderClient(http, timeout=5)
            for _ in range(2):
                await client.complete(f"http://localhost:{port}/v1", None, {"model": "m"})
    finally:
        await runner.cleanup()
    return seen


def test_a_cookie_one_call_received_never_rides_along_the_next() -> None:
    """The client is shared by every caller: a cookie jar would hand one caller's provider
    session to the next caller's call."""
    assert asyncio.run(_two_calls_through_one_client()) == ["", ""]
