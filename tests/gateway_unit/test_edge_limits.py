"""Edge limits, driven in-process through the ASGI interface (no database needed)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from starlette.types import Message

from aimodels.gateway.app import create_app
from aimodels.gateway.settings import GatewaySettings


def _scope(
    method: str, path: str, headers: list[tuple[bytes, bytes]], query: bytes = b""
) -> dict[str, object]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 54321),
    }


async def _call(
    settings: GatewaySettings, scope: dict[str, object], messages: list[Message]
) -> list[Message]:
    """Run one request; `messages` are what the client sends, then it waits forever."""
    app = create_app(settings)
    incoming = list(messages)
    sent: list[Message] = []

    async def receive() -> Message:
        if incoming:
            return incoming.pop(0)
        await asyncio.Event().wait()  # a client that sends nothing more
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    return sent


def _status_and_body(sent: list[Message]) -> tuple[int, dict[str, object]]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(start["status"]), json.loads(body)


def test_a_stalled_body_is_408_without_reaching_a_handler(
    offline_settings: GatewaySettings,
) -> None:
    settings = offline_settings.model_copy(update={"body_read_timeout": 0.2})
    scope = _scope("POST", "/auth/v1/token", [(b"content-length", b"200")])
    first_byte: list[Message] = [{"type": "http.request", "body": b"{", "more_body": True}]

    sent = asyncio.run(_call(settings, scope, first_byte))

    assert _status_and_body(sent) == (408, {"message": "Request timeout"})


def test_a_body_over_the_limit_while_streaming_is_413(offline_settings: GatewaySettings) -> None:
    settings = offline_settings.model_copy(update={"max_body_bytes": 10})
    scope = _scope("POST", "/rest/v1/rpc/f", [])
    chunks: list[Message] = [
        {"type": "http.request", "body": b"x" * 6, "more_body": True},
        {"type": "http.request", "body": b"x" * 6, "more_body": True},
    ]

    status, body = _status_and_body(asyncio.run(_call(settings, scope, chunks)))

    assert status == 413
    assert "10 bytes" in str(body["message"])


def test_a_header_line_over_8_kib_is_kongs_494(offline_settings: GatewaySettings) -> None:
    token = "a" * (9 * 1024)
    scope = _scope("GET", "/rest/v1/t", [(b"authorization", f"Bearer {token}".encode())])

    sent = asyncio.run(_call(offline_settings, scope, []))

    assert _status_and_body(sent) == (494, {"message": "Request header or cookie too large"})


def test_headers_over_32_kib_in_all_are_494(offline_settings: GatewaySettings) -> None:
    headers = [(f"x-h{i}".encode(), b"v" * 7000) for i in range(5)]
    scope = _scope("GET", "/rest/v1/t", headers)

    status, _ = _status_and_body(asyncio.run(_call(offline_settings, scope, [])))

    assert status == 494


def test_a_request_target_over_8_kib_is_414(offline_settings: GatewaySettings) -> None:
    scope = _scope("GET", "/rest/v1/t", [], query=b"select=" + b"a" * 9000)

    status, body = _status_and_body(asyncio.run(_call(offline_settings, scope, [])))

    assert (status, body) == (414, {"message": "URI too long"})


def test_a_client_that_leaves_mid_body_logs_one_line_and_no_traceback(
    offline_settings: GatewaySettings, caplog: pytest.LogCaptureFixture
) -> None:
    scope = _scope("POST", "/rest/v1/rpc/f", [(b"content-length", b"100")])
    leaves: list[Message] = [
        {"type": "http.request", "body": b"{", "more_body": True},
        {"type": "http.disconnect"},
    ]

    with caplog.at_level(logging.INFO, logger="aimodels"):
        sent = asyncio.run(_call(offline_settings, scope, leaves))

    assert sent == [], "nobody is left to answer"
    lines = [r for r in caplog.records if r.name.startswith("aimodels")]
    assert [r.getMessage().split(" role=")[0] for r in lines] == ["POST /rest/v1/rpc/f 499"]
    assert all(r.exc_info is None for r in caplog.records)


def test_a_control_character_in_the_path_cannot_split_the_log_line(
    offline_settings: GatewaySettings, caplog: pytest.LogCaptureFixture
) -> None:
    scope = _scope("GET", "/nowhere\nGET /forged 200", [])
    no_body: list[Message] = [{"type": "http.request", "body": b"", "more_body": False}]

    with caplog.at_level(logging.INFO, logger="aimodels.gateway.access"):
        asyncio.run(_call(offline_settings, scope, no_body))

    (line,) = [r.getMessage() for r in caplog.records if r.name == "aimodels.gateway.access"]
    assert "\n" not in line
    assert line.startswith("GET /nowhere\\x0aGET /forged 200 404")


def test_an_unexpected_failure_is_a_json_500(
    offline_settings: GatewaySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("aimodels.gateway.rest.routes.resolve_request_claims", broken)
    scope = _scope("GET", "/rest/v1/t", [])
    sent: list[Message] = []

    async def scenario() -> None:
        app = create_app(offline_settings)

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        await app(scope, receive, send)

    # The server still sees the exception (and logs it); the client gets JSON.
    with pytest.raises(RuntimeError, match="a bug"):
        asyncio.run(scenario())
    assert _status_and_body(sent) == (500, {"message": "An unexpected error occurred"})
