"""The model access benchmark asks the provider for the same work on both sides."""

from __future__ import annotations

from uuid import uuid4

import pytest

from aimodels.bench.proxy_path import bodies
from aimodels.domain import UsableModel
from aimodels.proxy.chat_flow import prepare
from aimodels.proxy.dev_answers import plan_answer
from aimodels.proxy.wire import ChatRequest


@pytest.mark.parametrize("stream", [False, True])
def test_the_direct_call_is_answered_as_the_services_call_is(stream: bool) -> None:
    """A system message changes the provider's answer (here 12 words instead of 16): the
    direct call must carry it, and ask for the usage chunk the service asks for."""
    model = UsableModel.model_validate(
        {"id": uuid4(), "name": "Bench", "max_tokens": 4096,
         "system_message": "You are a helpful assistant."}
    )  # fmt: skip
    sent, direct = bodies(model, stream)
    through_service = prepare(model, ChatRequest.model_validate(sent)).outgoing
    straight = ChatRequest.model_validate(direct)
    assert plan_answer(straight) == plan_answer(through_service)
    assert straight.stream_options == through_service.stream_options
    if stream:
        assert sent["stream_options"] == {"include_usage": True}, "both clients get the usage"
