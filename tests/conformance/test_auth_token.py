"""POST /auth/v1/token: the password and refresh_token grants, as GoTrue answers them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import jwt
import psycopg
import pytest
import requests

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conformance.support import ApiTarget, SignedIn, ThrowawayUser

SESSION_KEYS = {"access_token", "token_type", "expires_in", "expires_at", "refresh_token", "user"}
CLAIM_KEYS = {
    "aud", "exp", "iat", "iss", "sub", "email", "phone", "app_metadata", "user_metadata",
    "role", "aal", "amr", "session_id", "is_anonymous",
}  # fmt: skip


def _claims(token: str) -> dict[str, object]:
    return jwt.decode(token, options={"verify_signature": False})


def _refresh(api: ApiTarget, refresh_token: str) -> requests.Response:
    return requests.post(
        f"{api.auth_url}/token?grant_type=refresh_token",
        json={"refresh_token": refresh_token},
        headers=api.anon_headers(),
        timeout=10,
    )


def _assert_gotrue_error(response: requests.Response, status: int, code: str, message: str):
    assert response.status_code == status, response.text
    assert response.json() == {"code": code, "message": message}
    assert response.headers["x-sb-error-code"] == code
    assert response.headers["X-Supabase-Api-Version"] == "2024-01-01"


def test_password_grant_returns_a_bearer_session_with_the_user(
    api: ApiTarget, throwaway_user: ThrowawayUser
) -> None:
    response = api.sign_in(throwaway_user.email, throwaway_user.password)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == SESSION_KEYS
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["expires_at"] == _claims(body["access_token"])["exp"]
    assert body["user"]["id"] == throwaway_user.id
    assert body["user"]["email"] == throwaway_user.email
    assert body["user"]["aud"] == "authenticated"
    assert body["user"]["role"] == "authenticated"


def test_password_grant_access_token_carries_gotrue_claims(
    api: ApiTarget, throwaway_user: ThrowawayUser
) -> None:
    body = api.sign_in(throwaway_user.email, throwaway_user.password).json()
    claims = _claims(body["access_token"])
    assert set(claims) == CLAIM_KEYS
    assert claims["aud"] == "authenticated"  # a string, not a list
    assert claims["sub"] == throwaway_user.id
    assert claims["role"] == "authenticated"
    assert claims["email"] == throwaway_user.email
    assert claims["phone"] == ""
    assert claims["aal"] == "aal1"
    assert claims["is_anonymous"] is False
    assert claims["app_metadata"] == {"provider": "email", "providers": ["email"]}
    assert claims["exp"] - claims["iat"] == 3600
    assert isinstance(claims["amr"], list)
    assert claims["amr"][0]["method"] == "password"
    assert claims["iss"].endswith("/auth/v1")
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "HS256"
    # Signed with the project's JWT secret, so PostgREST accepts it.
    jwt.decode(body["access_token"], api.jwt_secret, algorithms=["HS256"], audience="authenticated")


def test_password_grant_sets_last_sign_in_at(api: ApiTarget, throwaway_user: ThrowawayUser) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    body = api.sign_in(throwaway_user.email, throwaway_user.password).json()
    signed_in_at = dt.datetime.fromisoformat(body["user"]["last_sign_in_at"])
    assert signed_in_at >= before


def test_wrong_password_is_invalid_credentials(
    api: ApiTarget, throwaway_user: ThrowawayUser
) -> None:
    response = api.sign_in(throwaway_user.email, "not-the-password")
    _assert_gotrue_error(response, 400, "invalid_credentials", "Invalid login credentials")


def test_unknown_email_is_invalid_credentials(api: ApiTarget) -> None:
    response = api.sign_in("nobody-here@example.test", "whatever-password")
    _assert_gotrue_error(response, 400, "invalid_credentials", "Invalid login credentials")


def test_error_without_version_header_uses_the_legacy_shape(
    api: ApiTarget, throwaway_user: ThrowawayUser
) -> None:
    response = requests.post(
        f"{api.auth_url}/token?grant_type=password",
        json={"email": throwaway_user.email, "password": "wrong-password"},
        headers={"apikey": api.anon_key},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": 400,
        "error_code": "invalid_credentials",
        "msg": "Invalid login credentials",
    }
    assert response.headers["x-sb-error-code"] == "invalid_credentials"
    assert "X-Supabase-Api-Version" not in response.headers


def test_unconfirmed_email_cannot_sign_in(
    api: ApiTarget, user_factory: Callable[..., ThrowawayUser]
) -> None:
    user = user_factory(confirmed=False)
    response = api.sign_in(user.email, user.password)
    _assert_gotrue_error(response, 400, "email_not_confirmed", "Email not confirmed")


def test_missing_email_is_a_validation_error(api: ApiTarget) -> None:
    response = requests.post(
        f"{api.auth_url}/token?grant_type=password",
        json={"password": "something"},
        headers=api.anon_headers(),
        timeout=10,
    )
    _assert_gotrue_error(response, 400, "validation_failed", "missing email or phone")


def test_body_that_is_not_json_is_bad_json(api: ApiTarget) -> None:
    response = requests.post(
        f"{api.auth_url}/token?grant_type=password",
        data="not json",
        headers=api.anon_headers(),
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_json"
    assert response.json()["message"].startswith("Could not parse request body as JSON")


def test_unsupported_grant_type_is_rejected(api: ApiTarget) -> None:
    response = requests.post(
        f"{api.auth_url}/token?grant_type=magic",
        json={},
        headers=api.anon_headers(),
        timeout=10,
    )
    _assert_gotrue_error(response, 400, "invalid_credentials", "unsupported_grant_type")


def test_refresh_rotates_the_refresh_token(api: ApiTarget, signed_in: SignedIn) -> None:
    response = _refresh(api, signed_in.refresh_token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == SESSION_KEYS
    assert body["refresh_token"] != signed_in.refresh_token
    assert len(body["refresh_token"]) == 12
    old, new = _claims(signed_in.access_token), _claims(body["access_token"])
    assert new["session_id"] == old["session_id"]
    assert new["sub"] == old["sub"]


def test_refreshing_the_parent_of_the_active_token_returns_the_active_token(
    api: ApiTarget, signed_in: SignedIn
) -> None:
    child = _refresh(api, signed_in.refresh_token).json()["refresh_token"]
    again = _refresh(api, signed_in.refresh_token)
    assert again.status_code == 200, again.text
    assert again.json()["refresh_token"] == child


def test_unknown_refresh_token_is_not_found(api: ApiTarget) -> None:
    response = _refresh(api, "abcdefghijkl")
    _assert_gotrue_error(
        response,
        400,
        "refresh_token_not_found",
        "Invalid Refresh Token: Refresh Token Not Found",
    )


def test_empty_refresh_token_is_an_oauth_invalid_request(api: ApiTarget) -> None:
    response = _refresh(api, "")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "refresh_token required",
    }


def _set_refresh_token_age(api: ApiTarget, session_id: str, seconds: int) -> None:
    """Date the session's tokens `seconds` ago in SQL, instead of waiting on the clock."""
    assert api.db_url is not None
    with psycopg.connect(api.db_url, autocommit=True) as conn:
        conn.execute(
            "update auth.refresh_tokens set updated_at = now() - make_interval(secs => %s)"
            " where session_id = %s",
            (seconds, session_id),
        )


def test_reused_token_after_the_interval_is_already_used_and_revokes_the_family(
    api: ApiTarget, signed_in: SignedIn
) -> None:
    if api.db_url is None:
        pytest.skip("needs SUPABASE_DB_URL to age tokens past the reuse interval")
    session_id = _claims(signed_in.access_token)["session_id"]
    second = _refresh(api, signed_in.refresh_token).json()["refresh_token"]
    third = _refresh(api, second).json()["refresh_token"]
    _set_refresh_token_age(api, session_id, 60)
    reused = _refresh(api, signed_in.refresh_token)
    _assert_gotrue_error(
        reused, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used"
    )
    # The whole family is revoked: even the newest token is now refused.
    _set_refresh_token_age(api, session_id, 60)
    after = _refresh(api, third)
    assert after.status_code == 400
    assert after.json()["code"] == "refresh_token_already_used"


def test_revoked_token_within_the_reuse_interval_is_accepted(
    api: ApiTarget, signed_in: SignedIn
) -> None:
    second = _refresh(api, signed_in.refresh_token).json()["refresh_token"]
    _refresh(api, second)
    # The first token is revoked and no longer the parent of the active one. Dated 2 s ago
    # in SQL, it sits inside the 10 s interval however slow this machine is.
    if api.db_url is not None:
        _set_refresh_token_age(api, _claims(signed_in.access_token)["session_id"], 2)
    reused = _refresh(api, signed_in.refresh_token)
    assert reused.status_code == 200, reused.text
