"""Faults: the provider failing or timing out charges nothing; the service killed mid-stream
leaves a hold that expires and gives the quota back; a client leaving mid-stream is charged
what it was sent; a retry with the same idempotency key is charged once."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import openai
import pytest
import requests

from aimodels.stack.state import StackInfo
from tests.proxy.support import IMMIGRATION, USER1, Database, access_token, start_proxy

WAIT_SECONDS = 30


def _sdk(base_url: str, stack: StackInfo) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=access_token(stack, USER1), max_retries=0)


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll until `condition` holds; fails (never flakes on speed) only after a long bound."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {WAIT_SECONDS}s for {what}")
        time.sleep(0.1)


@pytest.mark.parametrize("stream", [False, True])
def test_a_provider_error_charges_nothing_and_releases_the_hold(
    seeded: StackInfo, db: Database, stream: bool
) -> None:
    assert seeded.proxy_url is not None
    since = db.now()
    with pytest.raises(openai.InternalServerError) as raised:
        _sdk(seeded.proxy_url, seeded).chat.completions.create(
            model="Immigration Case Assistant",
            messages=[{"role": "user", "content": "[[fail:500]]"}],
            stream=stream,
        )
    assert raised.value.status_code == 502
    assert raised.value.code == "provider_error"
    assert db.usage_since(since) == []
    assert [status for status, _, _ in db.holds_since(since)] == ["released"]


def test_a_provider_timeout_is_504_and_charges_nothing(
    seeded: StackInfo, db: Database, tmp_path: Path
) -> None:
    proxy = start_proxy(seeded, tmp_path, provider_timeout=0.5)
    try:
        since = db.now()
        with pytest.raises(openai.APIStatusError) as raised:
            _sdk(f"{proxy.url}/v1", seeded).chat.completions.create(
                model="Immigration Case Assistant",
                messages=[{"role": "user", "content": "[[delay:3]] slow"}],
            )
        assert raised.value.status_code == 504
        assert raised.value.code == "provider_timeout"
        assert db.usage_since(since) == []
        assert [status for status, _, _ in db.holds_since(since)] == ["released"]
    finally:
        proxy.stop()


def test_the_same_idempotency_key_is_charged_once(seeded: StackInfo, db: Database) -> None:
    assert seeded.proxy_url is not None
    sdk = _sdk(seeded.proxy_url, seeded)
    since = db.now()
    headers = {"Idempotency-Key": "checkout-42"}
    first = sdk.chat.completions.create(
        model="Immigration Case Assistant",
        messages=[{"role": "user", "content": "once"}],
        extra_headers=headers,
    )
    with pytest.raises(openai.ConflictError) as raised:
        sdk.chat.completions.create(
            model="Immigration Case Assistant",
            messages=[{"role": "user", "content": "once"}],
            extra_headers=headers,
        )
    assert raised.value.code == "idempotency_key_reused"
    assert raised.value.response.headers["x-should-retry"] == "false"
    assert first.usage is not None
    assert db.usage_since(since) == [first.usage.total_tokens], "charged once"


def test_a_client_leaving_mid_stream_is_charged_what_it_was_sent(
    seeded: StackInfo, db: Database
) -> None:
    assert seeded.proxy_url is not None
    since = db.now()
    stream = _sdk(seeded.proxy_url, seeded).chat.completions.create(
        model="Immigration Case Assistant",
        messages=[{"role": "user", "content": "[[slow:0.2]] [[length:200]] go on"}],
        stream=True,
    )
    received = [chunk for _, chunk in zip(range(4), stream, strict=False)]
    assert len(received) == 4
    stream.close()

    _wait_for(lambda: db.holds_since(since)[0][0] == "settled", "the hold to be settled")
    [(_, held, settled)] = db.holds_since(since)
    assert settled is not None
    assert db.usage_since(since) == [settled]
    assert 0 < settled < held, "what was sent (a few chunks and the prompt), not the hold"


def test_a_provider_breaking_off_mid_stream_is_an_error_and_charges_what_was_sent(
    seeded: StackInfo, db: Database
) -> None:
    assert seeded.proxy_url is not None
    since = db.now()
    stream = _sdk(seeded.proxy_url, seeded).chat.completions.create(
        model="Immigration Case Assistant",
        messages=[{"role": "user", "content": "[[cut:3]] [[length:50]] one two"}],
        stream=True,
    )
    pieces: list[str] = []
    with pytest.raises(openai.APIError, match="provider"):
        for chunk in stream:
            pieces += [c.delta.content or "" for c in chunk.choices]
    assert "".join(pieces) == "one two one", "three words arrived before the break"
    [(status, held, settled)] = db.holds_since(since)
    assert status == "settled"
    assert settled is not None and 0 < settled < held
    assert db.usage_since(since) == [settled]


def test_the_service_killed_mid_stream_leaves_a_hold_that_expires(
    fresh: StackInfo, tmp_path: Path
) -> None:
    db = Database(fresh.db_url)
    db.set_hold_ttl(2)
    proxy = start_proxy(fresh, tmp_path)
    remaining_before = _remaining(fresh)
    since = db.now()
    stream = _sdk(f"{proxy.url}/v1", fresh).chat.completions.create(
        model="Immigration Case Assistant",
        messages=[{"role": "user", "content": "[[slow:0.3]] [[length:100]] long answer"}],
        stream=True,
    )
    next(iter(stream))
    assert db.active_tokens_held() > 0, "the call holds quota while it runs"
    pid = proxy.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)

    _wait_for(lambda: db.active_tokens_held() == 0, "the hold to expire")
    assert db.usage_since(since) == [], "nothing was settled: the service died"
    assert [status for status, _, _ in db.holds_since(since)] == ["active"], "expired, no job"
    assert _remaining(fresh) == remaining_before, "the quota came back"
    proxy.stop()


def _remaining(stack: StackInfo) -> int:
    response = requests.post(
        f"{stack.api_url}/rest/v1/rpc/quota_status",
        json={"model_id": str(IMMIGRATION)},
        headers={
            "apikey": stack.anon_key,
            "authorization": f"Bearer {access_token(stack, USER1)}",
        },
        timeout=10,
    )
    response.raise_for_status()
    return int(response.json()["tokens_remaining"])


def test_connections_the_database_closed_do_not_fail_the_next_call(
    seeded: StackInfo, db: Database
) -> None:
    """A restart or a `db reset` closes the service's pooled connections while idle; the
    next call gets a new one instead of a 503 (they are not pinged before use)."""
    assert seeded.proxy_url is not None
    sdk = _sdk(seeded.proxy_url, seeded)
    sdk.chat.completions.create(model=str(IMMIGRATION), messages=[{"role": "user", "content": "a"}])
    closed = db.terminate_service_connections()
    assert closed > 0, "the service had pooled connections to close"
    answer = sdk.chat.completions.create(
        model=str(IMMIGRATION), messages=[{"role": "user", "content": "b"}]
    )
    assert answer.choices[0].message.content
