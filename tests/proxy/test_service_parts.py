"""The service's pure parts, without a stack: what it holds, what it charges, how it maps
refusals, what it sends the provider."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import httpx
import pytest

from aimodels.domain import UsableModel
from aimodels.proxy.accounting import Delivered, estimate_prompt_tokens
from aimodels.proxy.chat_flow import find_model, outgoing_body, prepare
from aimodels.proxy.dev_answers import count_prompt_tokens
from aimodels.proxy.errors import ErrorCode, seconds_until
from aimodels.proxy.platform_api import api_failure
from aimodels.proxy.provider_client import chat_url
from aimodels.proxy.wire import ChatMessage, ChatRequest, Usage


def _model(**fields: object) -> UsableModel:
    return UsableModel.model_validate(
        {"id": uuid4(), "name": "Drafter", "max_tokens": 100, "system_message": "Be exact.",
         **fields}
    )  # fmt: skip


def _request(**fields: object) -> ChatRequest:
    return ChatRequest.model_validate(
        {"model": "Drafter", "messages": [{"role": "user", "content": "hello there"}], **fields}
    )


@pytest.mark.parametrize(
    "text", ["a b c d", "word " * 50, "一二三四五六", "x", "", "long-hyphenated-words-only"]
)
def test_the_prompt_estimate_is_never_below_the_providers_count(text: str) -> None:
    messages = [ChatMessage.model_validate({"role": "user", "content": text})]
    assert estimate_prompt_tokens(messages) >= count_prompt_tokens(messages)


def test_a_reported_usage_is_charged_as_reported() -> None:
    delivered = Delivered(content_chunks=3, content_bytes=12)
    delivered.reported = Usage(prompt_tokens=10, completion_tokens=3, total_tokens=13)
    assert delivered.tokens_to_charge(prompt_estimate=99) == 13


def test_without_usage_the_delivered_content_is_counted_high() -> None:
    delivered = Delivered()
    for piece in ("one", " two", " three"):
        delivered.add(piece)
    assert delivered.tokens_to_charge(prompt_estimate=20) == 20 + max(3, 7)


def test_the_system_message_goes_first_and_max_tokens_is_capped() -> None:
    call = prepare(_model(), _request(max_tokens=5000, stream=True))
    body = outgoing_body(call)
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["max_tokens"] == 100, "capped at the model's max_tokens"
    assert body["stream_options"] == {"include_usage": True}, "usage asked for, to settle"
    assert call.tokens_to_hold == call.prompt_estimate + 100
    assert not call.client_wants_usage


def test_max_tokens_defaults_to_the_models_and_keeps_the_callers_field_name() -> None:
    assert outgoing_body(prepare(_model(), _request()))["max_tokens"] == 100
    body = outgoing_body(prepare(_model(), _request(max_completion_tokens=7)))
    assert body["max_completion_tokens"] == 7
    assert "max_tokens" not in body


def test_a_model_is_found_by_id_or_exact_name() -> None:
    model = _model()
    assert find_model([model], str(model.id)) is model
    assert find_model([model], "Drafter") is model
    assert find_model([model], "drafter") is None


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("http://h/v1", "http://h/v1/chat/completions"),
        ("http://h/v1/", "http://h/v1/chat/completions"),
        ("http://h/v1/chat/completions", "http://h/v1/chat/completions"),
        (
            "https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=1",
            "https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=1",
        ),
        ("https://api.openai.com/v1#gpt-4o-mini", "https://api.openai.com/v1/chat/completions"),
    ],
)
def test_the_chat_url_of_an_endpoint(endpoint: str, url: str) -> None:
    assert chat_url(endpoint) == url


@pytest.mark.parametrize(
    ("status", "code", "expected", "http_status"),
    [
        (400, "AM001", ErrorCode.MODEL_NOT_AVAILABLE, 404),
        (400, "AM002", ErrorCode.MODEL_NOT_ENABLED, 403),
        (400, "AM003", ErrorCode.TRIAL_EXPIRED, 403),
        (400, "AM004", ErrorCode.USER_LIMIT_EXCEEDED, 429),
        (400, "AM005", ErrorCode.ORG_QUOTA_EXCEEDED, 429),
        (403, "42501", ErrorCode.PERMISSION_DENIED, 403),
        (500, "XX000", ErrorCode.SERVICE_UNAVAILABLE, 503),
    ],
)
def test_the_databases_refusals_map_to_openai_statuses(
    status: int, code: str, expected: ErrorCode, http_status: int
) -> None:
    response = httpx.Response(
        status,
        json={"code": code, "message": f"{expected}: in plain words", "details": "period_end=x"},
    )
    error = api_failure(response)
    assert error.code is expected
    assert error.status == http_status
    assert error.body().error.code == expected
    assert ("x-should-retry" in error.headers) == (http_status == 429)


def test_retry_after_counts_the_seconds_to_the_period_end() -> None:
    now = datetime(2026, 11, 30, 23, 59, 0, tzinfo=UTC)
    details = "limit=1 used=1 requested=5 period_end=2026-12-01 00:00:00+00"
    assert seconds_until(details, now) == 60
    assert seconds_until("quota=1 reset_at=2026-12-01 00:00:30.5+00", now) == 91
    assert seconds_until("no date here", now) == 60, "a refusal without a date: a minute"


def test_the_endpoint_may_name_the_providers_model() -> None:
    named = prepare(_model(endpoint="http://h/v1#llama3.1:8b"), _request())
    assert outgoing_body(named)["model"] == "llama3.1:8b"
    unnamed = prepare(_model(endpoint="http://h/v1"), _request())
    assert outgoing_body(unnamed)["model"] == "Drafter", "else the catalog's name"
