"""The development provider: deterministic text, exact usage, streams, and told faults."""

from __future__ import annotations

import json

import openai
import pytest
from starlette.testclient import TestClient

from aimodels.proxy.dev_answers import count_prompt_tokens, plan_answer, read_controls
from aimodels.proxy.dev_provider import create_dev_provider
from aimodels.proxy.wire import ChatMessage, ChatRequest


def _request(prompt: str, **extra: object) -> ChatRequest:
    return ChatRequest.model_validate(
        {"model": "dev-echo", "messages": [{"role": "user", "content": prompt}], **extra}
    )


@pytest.fixture
def provider() -> TestClient:
    return TestClient(create_dev_provider())


@pytest.fixture
def sdk(provider: TestClient) -> openai.OpenAI:
    return openai.OpenAI(
        api_key="unused", base_url="http://testserver/v1", http_client=provider, max_retries=0
    )


def test_prompt_tokens_are_three_per_message_plus_words_plus_three() -> None:
    messages = [
        ChatMessage.model_validate({"role": "system", "content": "be brief"}),
        ChatMessage.model_validate({"role": "user", "content": "one two three"}),
    ]
    assert count_prompt_tokens(messages) == (3 + 2) + (3 + 3) + 3


def test_answer_echoes_words_and_is_capped_by_max_tokens() -> None:
    answer = plan_answer(_request("alpha beta [[length:5]]", max_tokens=3))
    assert answer.words == ["alpha", "beta", "alpha"], "words cycle, markers are not echoed"
    assert answer.usage.completion_tokens == 3, "completion tokens = min(max_tokens, length)"
    assert answer.finish_reason == "length"
    uncapped = plan_answer(_request("alpha beta [[length:5]]", max_tokens=50))
    assert uncapped.usage.completion_tokens == 5
    assert uncapped.finish_reason == "stop"


def test_natural_length_is_a_function_of_the_prompt() -> None:
    answer = plan_answer(_request("a b c"))
    prompt_tokens = 3 + 3 + 3
    assert answer.usage.prompt_tokens == prompt_tokens
    assert answer.usage.completion_tokens == 8 + prompt_tokens % 16
    assert answer == plan_answer(_request("a b c")), "the same request, the same answer"


def test_controls_are_read_from_markers() -> None:
    controls = read_controls("x [[fail:503]] [[delay:0.5]] [[slow:0.1]] [[cut:2]] [[no-usage]]")
    assert controls.fail_status == 503
    assert controls.delay_seconds == 0.5
    assert controls.chunk_delay_seconds == 0.1
    assert controls.cut_after_chunks == 2
    assert controls.no_usage


def test_sdk_completion_matches_the_plan(sdk: openai.OpenAI) -> None:
    completion = sdk.chat.completions.create(
        model="dev-echo", messages=[{"role": "user", "content": "hello there"}], max_tokens=4
    )
    expected = plan_answer(_request("hello there", max_tokens=4))
    assert completion.choices[0].message.content == expected.text
    assert completion.usage is not None
    assert completion.usage.model_dump(include={"prompt_tokens", "completion_tokens"}) == {
        "prompt_tokens": expected.usage.prompt_tokens,
        "completion_tokens": expected.usage.completion_tokens,
    }


def test_sdk_stream_sends_one_word_per_chunk_and_usage_when_asked(sdk: openai.OpenAI) -> None:
    expected = plan_answer(_request("red green blue [[length:6]]"))
    stream = sdk.chat.completions.create(
        model="dev-echo",
        messages=[{"role": "user", "content": "red green blue [[length:6]]"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == expected.text
    assert chunks[-1].usage is not None, "include_usage: the last chunk carries the usage"
    assert chunks[-1].usage.total_tokens == expected.usage.total_tokens


def test_stream_without_include_usage_reports_none(provider: TestClient) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    lines = [
        line.removeprefix("data: ")
        for line in provider.post("/v1/chat/completions", json=body).text.splitlines()
        if line.startswith("data: ")
    ]
    assert lines[-1] == "[DONE]"
    assert all("usage" not in json.loads(line) for line in lines[:-1])


def test_fail_marker_answers_that_status(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.InternalServerError) as raised:
        sdk.chat.completions.create(
            model="dev-echo", messages=[{"role": "user", "content": "x [[fail:503]]"}]
        )
    assert raised.value.status_code == 503


def test_cut_marker_drops_the_stream_after_n_chunks(provider: TestClient) -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "a b [[cut:2]] [[length:9]]"}],
        "stream": True,
    }
    with pytest.raises(Exception, match="cut after 2 chunks"):
        provider.post("/v1/chat/completions", json=body)


def test_bad_body_is_a_400_naming_the_field(provider: TestClient) -> None:
    response = provider.post("/v1/chat/completions", json={"model": "m", "messages": []})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "messages"


def test_a_configured_key_refuses_other_keys_without_echoing_them() -> None:
    guarded = TestClient(create_dev_provider(api_key="sk-dev-right"))
    wrong = guarded.get("/v1/models", headers={"authorization": "Bearer sk-dev-wrong"})
    assert wrong.status_code == 401
    assert "sk-dev-wrong" not in wrong.text
    right = guarded.get("/v1/models", headers={"authorization": "Bearer sk-dev-right"})
    assert right.status_code == 200
