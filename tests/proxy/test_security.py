"""The model's API key never leaves the service: not in a response, an error or a log line,
for any role; and no user settles, releases or reads another user's hold."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import openai
import pytest
import requests

from aimodels.stack.state import StackInfo
from tests.proxy.support import (
    ADMIN,
    IMMIGRATION,
    USER1,
    USER2,
    Database,
    access_token,
    start_provider,
    start_proxy,
)


def test_the_model_key_is_sent_to_the_provider_and_shown_to_nobody(
    fresh: StackInfo, tmp_path: Path
) -> None:
    key = f"sk-live-{secrets.token_hex(16)}"
    provider = start_provider(tmp_path, api_key=key)
    proxy = start_proxy(fresh, tmp_path)
    db = Database(fresh.db_url)
    db.set_model(IMMIGRATION, endpoint=f"{provider.url}/v1", api_key=key)
    seen: list[str] = []
    answered: list[str] = []

    def keep(response: httpx.Response) -> None:
        response.read()
        seen.append(str(response.headers) + response.text)

    try:
        for email in (USER1, ADMIN, "superadmin@example.test", "nobody"):
            token = access_token(fresh, email) if "@" in email else "not-a-token"
            sdk = openai.OpenAI(
                base_url=f"{proxy.url}/v1",
                api_key=token,
                max_retries=0,
                http_client=httpx.Client(event_hooks={"response": [keep]}),
            )
            for prompt in ("hello", "[[fail:500]]", "[[fail:401]]"):
                for stream in (False, True):
                    try:
                        answer = sdk.chat.completions.create(
                            model=str(IMMIGRATION),
                            messages=[{"role": "user", "content": prompt}],
                            stream=stream,
                        )
                        text = "".join(str(c) for c in answer) if stream else str(answer)  # type: ignore[union-attr]
                        seen.append(text)
                        answered.append(f"{email} {prompt}")
                    except openai.APIError as error:
                        seen.append(f"{error} {error.body}")
            try:
                seen.append(str(sdk.models.list()))
            except openai.APIError as error:
                seen.append(f"{error} {error.body}")
    finally:
        proxy.stop()
        provider.stop()

    assert answered == [f"{USER1} hello"] * 2, (
        "the provider accepted the key the service read and sent (only the user's calls)"
    )
    assert all(key not in text for text in seen), "the key is in no response or error"
    log = (tmp_path / "proxy.log").read_text()
    assert "POST /v1/chat/completions" in log, "the service logged its requests"
    assert key not in log, "the key is in no log line"


def _rpc(stack: StackInfo, email: str, name: str, args: dict[str, object]) -> requests.Response:
    return requests.post(
        f"{stack.api_url}/rest/v1/rpc/{name}",
        json=args,
        headers={"apikey": stack.anon_key, "authorization": f"Bearer {access_token(stack, email)}"},
        timeout=10,
    )


def test_a_user_cannot_settle_release_or_read_another_users_hold(seeded: StackInfo) -> None:
    hold = _rpc(seeded, USER1, "reserve_usage", {"model_id": str(IMMIGRATION), "max_tokens": 10})
    assert hold.status_code == 200
    hold_id = hold.json()["id"]

    settle = _rpc(seeded, USER2, "settle_usage", {"reservation_id": hold_id, "tokens_used": 1})
    release = _rpc(seeded, USER2, "release_usage", {"reservation_id": hold_id})
    assert (settle.status_code, settle.json()["code"]) == (400, "AM010")
    assert (release.status_code, release.json()["code"]) == (400, "AM010")
    read = requests.get(
        f"{seeded.api_url}/rest/v1/usage_reservations",
        params={"id": f"eq.{hold_id}"},
        headers={
            "apikey": seeded.anon_key,
            "authorization": f"Bearer {access_token(seeded, USER2)}",
        },
        timeout=10,
    )
    assert read.json() == [], "user2 does not see user1's hold"
    released = _rpc(seeded, USER1, "release_usage", {"reservation_id": hold_id})
    assert released.json()["status"] == "released", "the owner still can"


@pytest.mark.parametrize("email", [USER1, ADMIN])
def test_models_carry_no_key_for_any_role(seeded: StackInfo, email: str) -> None:
    assert seeded.proxy_url is not None
    response = httpx.get(
        f"{seeded.proxy_url}/models",
        headers={"authorization": f"Bearer {access_token(seeded, email)}"},
    )
    assert response.status_code == 200
    assert "sk-placeholder" not in response.text
    assert all("api_key" not in model for model in response.json()["data"])
