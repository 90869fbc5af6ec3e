"""The provider client alone, against a tiny local provider: what it sends along."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiohttp import web

from aimodels.proxy.provider_client import ProviderClient, env_proxy, provider_session


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


@pytest.fixture
def corporate_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1,.internal")
    env_proxy.cache_clear()
    yield
    env_proxy.cache_clear()


@pytest.mark.usefixtures("corporate_proxy")
def test_provider_calls_go_through_the_environments_proxy_unless_exempt() -> None:
    assert env_proxy("https", "api.openai.com") == "http://proxy.corp:3128"
    assert env_proxy("https", "models.internal") is None, "NO_PROXY's domain"
    assert env_proxy("http", "127.0.0.1") is None, "NO_PROXY's host"
    assert env_proxy("http", "api.openai.com") is None, "no HTTP_PROXY set"
