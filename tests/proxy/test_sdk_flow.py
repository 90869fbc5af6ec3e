"""The official `openai` SDK, unchanged, through the service: what it records is what the
provider reported, token for token, sync and async, streamed and not."""

from __future__ import annotations

import asyncio

import openai
import pytest

from aimodels.proxy.dev_answers import plan_answer
from aimodels.proxy.wire import ChatRequest
from aimodels.stack.state import StackInfo
from tests.proxy.support import (
    IMMIGRATION,
    IMMIGRATION_SYSTEM_MESSAGE,
    USER1,
    Database,
    access_token,
)

SYSTEM_MESSAGE = IMMIGRATION_SYSTEM_MESSAGE


def _sdk(stack: StackInfo) -> openai.OpenAI:
    assert stack.proxy_url is not None
    return openai.OpenAI(
        base_url=stack.proxy_url, api_key=access_token(stack, USER1), max_retries=0
    )


def _async_sdk(stack: StackInfo) -> openai.AsyncOpenAI:
    assert stack.proxy_url is not None
    return openai.AsyncOpenAI(
        base_url=stack.proxy_url, api_key=access_token(stack, USER1), max_retries=0
    )


def _expected_total(prompt: str, max_tokens: int) -> int:
    """What the development provider reports for the call the service makes: the model's
    system message first, then the caller's messages."""
    request = ChatRequest.model_validate(
        {
            "model": "x",
            "messages": [
                {"role": "system", "content": SYSTEM_MESSAGE},
                {"role": "user", "content": prompt},
            ],
            "max_tokens": max_tokens,
        }
    )
    return plan_answer(request).usage.total_tokens


def test_models_lists_the_callers_usable_models_by_id(seeded: StackInfo) -> None:
    models = _sdk(seeded).models.list().data
    assert {model.id for model in models} == {
        str(IMMIGRATION),
        "00000000-0000-0000-0003-000000000004",
    }, "user1@bright-visas may use Immigration Case Assistant and General Writing Assistant"
    names = {model.model_extra["name"] for model in models if model.model_extra}
    assert "Immigration Case Assistant" in names


def test_a_completion_records_the_providers_usage(seeded: StackInfo, db: Database) -> None:
    since = db.now()
    completion = _sdk(seeded).chat.completions.create(
        model="Immigration Case Assistant",
        messages=[{"role": "user", "content": "which visa fits a chef"}],
        max_tokens=12,
    )
    assert completion.usage is not None
    assert completion.usage.total_tokens == _expected_total("which visa fits a chef", 12), (
        "the system message went first and max_tokens was forwarded"
    )
    assert db.usage_since(since) == [completion.usage.total_tokens]
    assert [status for status, _, _ in db.holds_since(since)] == ["settled"]


def test_a_stream_records_the_providers_usage_even_when_the_caller_did_not_ask(
    seeded: StackInfo, db: Database
) -> None:
    since = db.now()
    stream = _sdk(seeded).chat.completions.create(
        model=str(IMMIGRATION),
        messages=[{"role": "user", "content": "list the documents"}],
        max_tokens=7,
        stream=True,
    )
    chunks = list(stream)
    assert all(chunk.usage is None for chunk in chunks), "no usage chunk the caller did not ask"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert len(text.split()) == 7, "max_tokens capped the answer"
    assert db.usage_since(since) == [_expected_total("list the documents", 7)]


def test_a_stream_with_include_usage_hands_the_usage_through(
    seeded: StackInfo, db: Database
) -> None:
    since = db.now()
    stream = _sdk(seeded).chat.completions.create(
        model="Immigration Case Assistant",
        messages=[{"role": "user", "content": "how long does it take"}],
        max_tokens=9,
        stream=True,
        stream_options={"include_usage": True},
    )
    usage = [chunk.usage for chunk in stream if chunk.usage is not None]
    assert len(usage) == 1
    assert db.usage_since(since) == [usage[0].total_tokens]


def test_async_completion_and_stream_record_the_providers_usage(
    seeded: StackInfo, db: Database
) -> None:
    async def both() -> tuple[int, int]:
        client = _async_sdk(seeded)
        completion = await client.chat.completions.create(
            model="Immigration Case Assistant",
            messages=[{"role": "user", "content": "async please"}],
            max_tokens=5,
        )
        stream = await client.chat.completions.create(
            model="Immigration Case Assistant",
            messages=[{"role": "user", "content": "async stream please"}],
            max_tokens=6,
            stream=True,
            stream_options={"include_usage": True},
        )
        streamed = [chunk.usage async for chunk in stream if chunk.usage is not None]
        assert completion.usage is not None
        return completion.usage.total_tokens, streamed[0].total_tokens

    since = db.now()
    first, second = asyncio.run(both())
    assert db.usage_since(since) == [first, second]
    assert (first, second) == (
        _expected_total("async please", 5),
        _expected_total("async stream please", 6),
    )


def test_max_tokens_defaults_to_and_is_capped_at_the_models(
    seeded: StackInfo, db: Database
) -> None:
    since = db.now()
    completion = _sdk(seeded).chat.completions.create(
        model="Immigration Case Assistant",
        messages=[{"role": "user", "content": "[[length:5000]] long"}],
        max_tokens=100000,
    )
    assert completion.usage is not None
    assert completion.usage.completion_tokens == 4096, "the model's max_tokens is 4096"
    holds = db.holds_since(since)
    assert holds[0][1] > 4096, "the hold was the prompt estimate plus the capped max_tokens"


@pytest.mark.parametrize("stream", [False, True])
def test_a_provider_that_reports_no_usage_is_charged_conservatively(
    seeded: StackInfo, db: Database, stream: bool
) -> None:
    since = db.now()
    prompt = "[[no-usage]] [[length:6]] count me"
    response = _sdk(seeded).chat.completions.create(
        model="Immigration Case Assistant",
        messages=[{"role": "user", "content": prompt}],
        stream=stream,
    )
    if stream:
        list(response)  # type: ignore[arg-type]
    charged = db.usage_since(since)
    assert len(charged) == 1
    assert charged[0] >= _expected_total(prompt, 4096), "never less than what was used"
