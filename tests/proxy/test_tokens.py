"""The service verifies the caller's token itself, as PostgREST would: a token that fails
(expired, badly signed, not a signed-in user's) is a 401 in OpenAI's shape, and nothing is
held or recorded. A token that passes runs every statement as that user, so what a deleted
or banned user's token gets is what the API gives it."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx
import jwt
import pytest

from aimodels.stack.keys import JWT_SECRET
from aimodels.stack.state import StackInfo
from tests.proxy.support import IMMIGRATION, Database, access_token

# Literal, not built from the code's list: the message is part of the contract.
ROLE_REFUSED = "role must be one of authenticated, aimodels_admin, aimodels_superadmin"

USER1_ID = "00000000-0000-0000-0002-000000000021"
USER2_EMAIL = "user2@bright-visas.example.test"


def _token(secret: str = JWT_SECRET, expires_in: int | None = 600, **changes: Any) -> str:
    """A user1 token as GoTrue issues it, with `changes` (None drops a claim); made when the
    test runs, so a long suite cannot expire it before its turn."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": "authenticated",
        "exp": None if expires_in is None else now + expires_in,
        "iat": now,
        "sub": USER1_ID,
        "email": "user1@bright-visas.example.test",
        "role": "authenticated",
        "session_id": USER1_ID,
    }
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, "HS256")


def _chat(stack: StackInfo, token: str) -> httpx.Response:
    assert stack.proxy_url is not None
    return httpx.post(
        f"{stack.proxy_url}/chat/completions",
        json={"model": str(IMMIGRATION), "messages": [{"role": "user", "content": "hello"}]},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    )


@pytest.mark.parametrize(
    ("made", "reason"),
    [
        ({"expires_in": -120}, "expired"),
        ({"secret": "another-secret-of-at-least-32-characters"}, "bad signature"),
        ({"role": "anon"}, ROLE_REFUSED),
        ({"role": "service_role"}, ROLE_REFUSED),
        ({"expires_in": None}, "no 'exp' claim"),
        ({}, "malformed"),
    ],
    ids=["expired", "badly-signed", "anon", "service-role", "no-exp", "malformed"],
)
def test_a_token_that_fails_is_401_in_openais_shape(
    seeded: StackInfo, since: datetime, made: dict[str, Any], reason: str
) -> None:
    token = _token(**made) if made else "not.a.token"
    response = _chat(seeded, token)
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "message": f"invalid access token ({reason}): sign in again",
            "type": "authentication_error",
            "code": "invalid_api_key",
            "param": None,
        }
    }
    assert token not in response.text


def test_a_token_within_the_clock_skew_is_accepted(seeded: StackInfo) -> None:
    """PostgREST allows 30 s of skew on exp; so does the service."""
    response = _chat(seeded, _token(expires_in=-5))
    assert response.status_code == 200, response.text
    assert response.headers["x-aimodels-settlement"] == "settled"


def _models_via_api(stack: StackInfo, token: str) -> list[str]:
    response = httpx.post(
        f"{stack.api_url}/rest/v1/rpc/usable_models",
        json={},
        headers={"apikey": stack.anon_key, "authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return sorted(str(model["id"]) for model in response.json())


def _models_via_service(stack: StackInfo, token: str) -> list[str]:
    assert stack.proxy_url is not None
    response = httpx.get(
        f"{stack.proxy_url}/models", headers={"authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return sorted(str(model["id"]) for model in response.json()["data"])


@pytest.mark.parametrize(
    "change",
    [
        "update auth.users set banned_until = now() + interval '1 day' where email = %s",
        "delete from auth.users where email = %s",
    ],
    ids=["banned", "deleted"],
)
def test_a_banned_or_deleted_users_token_gets_what_the_api_gives_it(
    fresh: StackInfo, change: str
) -> None:
    token = access_token(fresh, USER2_EMAIL)
    before = _models_via_service(fresh, token)
    assert before, "user2 uses models before the change"
    Database(fresh.db_url).execute(change, (USER2_EMAIL,))
    # The token stays valid until it expires (GoTrue does not revoke it); Postgres decides.
    assert _models_via_service(fresh, token) == _models_via_api(fresh, token)
