"""GET/PUT /auth/v1/user and POST /auth/v1/logout for a signed-in user."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from tests.conformance.support import ApiTarget, SignedIn

USER_KEYS_ALWAYS = {
    "id", "aud", "role", "email", "phone", "app_metadata", "user_metadata", "identities",
    "created_at", "updated_at", "is_anonymous",
}  # fmt: skip


def _get_user(api: ApiTarget, headers: dict[str, str]) -> requests.Response:
    return requests.get(f"{api.auth_url}/user", headers=headers, timeout=10)


def _put_user(api: ApiTarget, token: str, body: dict[str, object]) -> requests.Response:
    return requests.put(
        f"{api.auth_url}/user", json=body, headers=api.user_headers(token), timeout=10
    )


def _refresh(api: ApiTarget, refresh_token: str) -> requests.Response:
    return requests.post(
        f"{api.auth_url}/token?grant_type=refresh_token",
        json={"refresh_token": refresh_token},
        headers=api.anon_headers(),
        timeout=10,
    )


def test_get_user_returns_the_bare_user(api: ApiTarget, signed_in: SignedIn) -> None:
    response = _get_user(api, api.user_headers(signed_in.access_token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= USER_KEYS_ALWAYS
    assert body["id"] == signed_in.user.id
    assert body["email"] == signed_in.user.email
    assert body["phone"] == ""
    assert body["app_metadata"] == {"provider": "email", "providers": ["email"]}
    identity = body["identities"][0]
    assert identity["provider"] == "email"
    assert identity["id"] == signed_in.user.id  # provider id = user id for email
    assert identity["user_id"] == signed_in.user.id
    assert identity["identity_data"]["sub"] == signed_in.user.id
    assert identity["identity_data"]["email"] == signed_in.user.email


def test_get_user_without_bearer_is_no_authorization(api: ApiTarget) -> None:
    response = _get_user(api, {"X-Supabase-Api-Version": "2024-01-01"})
    assert response.status_code == 401
    assert response.json() == {
        "code": "no_authorization",
        "message": "This endpoint requires a valid Bearer token",
    }
    assert response.headers["x-sb-error-code"] == "no_authorization"


def test_get_user_with_the_anon_key_is_bad_jwt_missing_sub(api: ApiTarget) -> None:
    response = _get_user(api, api.anon_headers())
    assert response.status_code == 403
    assert response.json() == {"code": "bad_jwt", "message": "invalid claim: missing sub claim"}


def test_update_user_merges_user_metadata(api: ApiTarget, signed_in: SignedIn) -> None:
    first = _put_user(api, signed_in.access_token, {"data": {"display_name": "Ada", "x": 1}})
    assert first.status_code == 200, first.text
    second = _put_user(api, signed_in.access_token, {"data": {"x": None, "team": "blue"}})
    assert second.status_code == 200, second.text
    assert second.json()["user_metadata"] == {"display_name": "Ada", "team": "blue"}
    # The next access token carries the new metadata.
    refreshed = _refresh(api, signed_in.refresh_token).json()
    fetched = _get_user(api, api.user_headers(refreshed["access_token"])).json()
    assert fetched["user_metadata"] == {"display_name": "Ada", "team": "blue"}


def test_update_user_password_then_sign_in_with_it(api: ApiTarget, signed_in: SignedIn) -> None:
    response = _put_user(api, signed_in.access_token, {"password": "a-brand-new-password"})
    assert response.status_code == 200, response.text
    assert api.sign_in(signed_in.user.email, signed_in.user.password).status_code == 400
    assert api.sign_in(signed_in.user.email, "a-brand-new-password").status_code == 200


def test_update_user_weak_password_is_rejected(api: ApiTarget, signed_in: SignedIn) -> None:
    response = _put_user(api, signed_in.access_token, {"password": "abc"})
    assert response.status_code == 422
    assert response.json() == {
        "code": "weak_password",
        "message": "Password should be at least 6 characters.",
        "weak_password": {"reasons": ["length"]},
    }


def test_update_user_same_password_is_rejected(api: ApiTarget, signed_in: SignedIn) -> None:
    response = _put_user(api, signed_in.access_token, {"password": signed_in.user.password})
    assert response.status_code == 422
    assert response.json()["code"] == "same_password"


def test_user_cannot_set_their_own_app_metadata(api: ApiTarget, signed_in: SignedIn) -> None:
    response = _put_user(api, signed_in.access_token, {"app_metadata": {"role": "admin"}})
    assert response.status_code == 403
    assert response.json() == {
        "code": "not_admin",
        "message": "Updating app_metadata requires admin privileges",
    }


def test_logout_is_204_and_ends_the_session(api: ApiTarget, signed_in: SignedIn) -> None:
    response = requests.post(
        f"{api.auth_url}/logout?scope=global",
        headers=api.user_headers(signed_in.access_token),
        timeout=10,
    )
    assert response.status_code == 204
    assert response.content == b""
    # The refresh token died with the session...
    assert _refresh(api, signed_in.refresh_token).json()["code"] == "refresh_token_not_found"
    # ...and the access token's session no longer exists.
    after = _get_user(api, api.user_headers(signed_in.access_token))
    assert after.status_code == 403
    assert after.json()["code"] == "session_not_found"


def test_logout_others_keeps_the_current_session(api: ApiTarget, signed_in: SignedIn) -> None:
    other = api.sign_in(signed_in.user.email, signed_in.user.password).json()
    response = requests.post(
        f"{api.auth_url}/logout?scope=others",
        headers=api.user_headers(signed_in.access_token),
        timeout=10,
    )
    assert response.status_code == 204
    assert _refresh(api, other["refresh_token"]).status_code == 400
    assert _refresh(api, signed_in.refresh_token).status_code == 200


def test_logout_local_ends_only_the_current_session(api: ApiTarget, signed_in: SignedIn) -> None:
    other = api.sign_in(signed_in.user.email, signed_in.user.password).json()
    response = requests.post(
        f"{api.auth_url}/logout?scope=local",
        headers=api.user_headers(signed_in.access_token),
        timeout=10,
    )
    assert response.status_code == 204
    assert _refresh(api, signed_in.refresh_token).status_code == 400
    assert _refresh(api, other["refresh_token"]).status_code == 200


def test_logout_with_unknown_scope_is_a_validation_error(
    api: ApiTarget, signed_in: SignedIn
) -> None:
    response = requests.post(
        f"{api.auth_url}/logout?scope=everyone",
        headers=api.user_headers(signed_in.access_token),
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_failed",
        "message": 'Unsupported logout scope "everyone"',
    }
