"""The client's door to the models (client.user().model_access()) and `aimodels chat`: the
official SDK signed in as the user, the answer, the tokens used and what is left."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aimodels.cli.app import app
from aimodels.client import AIModelsClient, AuthError, ModelNotEnabled, UserQuotaExceeded
from aimodels.domain.chat import ChatResult
from aimodels.stack.state import StackInfo
from tests.proxy.support import IMMIGRATION, LEGAL_DRAFTER, PASSWORD, USER1, Database


def _user1(stack: StackInfo) -> AIModelsClient:
    client = AIModelsClient.connect(stack.api_url, stack.anon_key)
    client.sign_in(USER1, PASSWORD)
    return client


def test_chat_returns_the_answer_its_usage_and_what_is_left(
    seeded: StackInfo, db: Database
) -> None:
    user = _user1(seeded).user()
    since = db.now()
    result = user.model_access(seeded.proxy_url).chat(user.find_model(str(IMMIGRATION)), "hi")
    assert result.usage is not None
    assert db.usage_since(since) == [result.usage.total_tokens]
    assert result.tokens_remaining == user.quota_status(IMMIGRATION).tokens_remaining


def test_stream_yields_pieces_then_the_result(seeded: StackInfo) -> None:
    user = _user1(seeded).user()
    items = list(
        user.model_access(seeded.proxy_url).stream(user.find_model(str(IMMIGRATION)), "a b", 5)
    )
    result = items[-1]
    assert isinstance(result, ChatResult)
    assert "".join(str(piece) for piece in items[:-1]) == result.text == "a b a b a"
    assert result.finish_reason == "length"


def test_the_sdk_clients_read_the_users_session_on_every_request(seeded: StackInfo) -> None:
    client = _user1(seeded)
    access = client.user().model_access(seeded.proxy_url)
    sdk, async_sdk = access.openai(max_retries=0), access.async_openai(max_retries=0)
    assert [m.id for m in sdk.models.list().data]

    async def listed() -> int:
        return len((await async_sdk.models.list()).data)

    assert asyncio.run(listed()) > 0
    client.sign_out()
    with pytest.raises(AuthError):
        sdk.models.list()


def test_refusals_arrive_as_the_clients_typed_errors(fresh: StackInfo) -> None:
    user = _user1(fresh).user()
    access = user.model_access(fresh.proxy_url)
    model = user.find_model(str(IMMIGRATION))
    Database(fresh.db_url).set_user_limit(5001)
    with pytest.raises(UserQuotaExceeded):
        access.chat(model, "hi")
    with pytest.raises(ModelNotEnabled):
        access.chat(model.model_copy(update={"id": LEGAL_DRAFTER}), "hi")


def test_the_chat_command_streams_then_prints_tokens_used_and_left(
    seeded: StackInfo, tmp_path: Path
) -> None:
    assert seeded.proxy_url is not None
    empty_env = tmp_path / "empty.env"  # never the developer's .env; a named one must exist
    empty_env.touch()
    env = {
        "SUPABASE_URL": seeded.api_url,
        "SUPABASE_ANON_KEY": seeded.anon_key,
        "AIMODELS_PROXY_URL": seeded.proxy_url,
        "AIMODELS_ENV_FILE": str(empty_env),
        "AIMODELS_PASSWORD": "",
    }
    runner = CliRunner()
    args = ["--as", USER1, "chat", "--model", "Immigration Case Assistant", "--max-tokens", "4"]
    streamed = runner.invoke(app, [*args, "red green"], env=env)
    assert streamed.exit_code == 0, streamed.output
    assert streamed.stdout == "red green red green\n"
    assert "tokens used: " in streamed.stderr and "left for you: " in streamed.stderr

    whole = runner.invoke(app, [*args, "--json", "red green"], env=env)
    assert whole.exit_code == 0, whole.output
    result = ChatResult.model_validate(json.loads(whole.stdout))
    assert result.text == "red green red green"
    assert result.usage is not None and result.usage.completion_tokens == 4

    refused = runner.invoke(app, ["--as", USER1, "chat", "--model", "No Such", "x"], env=env)
    assert refused.exit_code == 6
    assert refused.stdout == ""


def test_record_usage_with_an_idempotency_key_is_charged_once(
    seeded: StackInfo, db: Database
) -> None:
    user = _user1(seeded).user()
    since = db.now()
    first = user.record_usage(IMMIGRATION, 7, idempotency_key="job-17")
    again = user.record_usage(IMMIGRATION, 7, idempotency_key="job-17")
    assert again.id == first.id
    assert db.usage_since(since) == [7]


def test_quota_status_shows_the_tokens_held(seeded: StackInfo) -> None:
    client = _user1(seeded)
    user = client.user()
    before = user.quota_status(IMMIGRATION)
    client.api.rpc("reserve_usage", {"model_id": str(IMMIGRATION), "max_tokens": 300}).execute()
    after = user.quota_status(IMMIGRATION)
    assert after.tokens_held == before.tokens_held + 300
    assert after.org_held == before.org_held + 300
    assert before.tokens_remaining is not None and after.tokens_remaining is not None
    assert after.tokens_remaining == before.tokens_remaining - 300
