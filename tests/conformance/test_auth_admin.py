"""The admin users API (/auth/v1/admin/users) for service_role callers."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
import requests

from aimodels.stack import keys

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conformance.support import ApiTarget, SignedIn, ThrowawayUser


def _admin(api: ApiTarget, method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(
        method,
        f"{api.auth_url}/admin/users{path}",
        headers=api.service_headers(),
        timeout=10,
        **kwargs,  # type: ignore[arg-type]
    )


def test_list_users_is_paginated_with_gotrue_headers(
    api: ApiTarget, user_factory: Callable[..., ThrowawayUser]
) -> None:
    user_factory()
    user_factory()
    response = _admin(api, "GET", "", params={"page": 1, "per_page": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"users", "aud"}
    assert body["aud"] == "authenticated"
    assert len(body["users"]) == 1
    total = int(response.headers["x-total-count"])
    assert total >= 2
    link = response.headers["link"]
    assert 'rel="next"' in link
    assert f'page={total}&per_page=1>; rel="last"' in link


def test_list_users_is_newest_first(
    api: ApiTarget, user_factory: Callable[..., ThrowawayUser]
) -> None:
    newest = user_factory()
    body = _admin(api, "GET", "", params={"page": 1, "per_page": 1}).json()
    assert body["users"][0]["id"] == newest.id


def test_create_user_returns_the_user_with_an_email_identity(api: ApiTarget) -> None:
    email = f"admin-create-{uuid.uuid4().hex[:8]}@example.test"
    response = _admin(
        api,
        "POST",
        "",
        json={
            "email": email.upper(),
            "password": "a-good-password",
            "email_confirm": True,
            "user_metadata": {"display_name": "New"},
            "app_metadata": {"plan": "pro"},
        },
    )
    try:
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["email"] == email  # lowercased
        assert body["aud"] == "authenticated"
        assert body["role"] == "authenticated"
        assert body["user_metadata"] == {"display_name": "New"}
        assert body["app_metadata"] == {
            "provider": "email",
            "providers": ["email"],
            "plan": "pro",
        }
        assert body["email_confirmed_at"] == body["confirmed_at"]
        assert "last_sign_in_at" not in body  # omitempty until the first sign-in
        assert body["identities"][0]["identity_data"] == {
            "sub": body["id"],
            "email": email,
            "email_verified": False,
            "phone_verified": False,
        }
        assert api.sign_in(email, "a-good-password").status_code == 200
    finally:
        if response.status_code == 200:
            api.delete_user(response.json()["id"])


def test_create_user_with_a_taken_email_is_email_exists(
    api: ApiTarget, throwaway_user: ThrowawayUser
) -> None:
    response = _admin(api, "POST", "", json={"email": throwaway_user.email, "password": "x" * 8})
    assert response.status_code == 422
    assert response.json() == {
        "code": "email_exists",
        "message": "A user with this email address has already been registered",
    }
    assert response.headers["x-sb-error-code"] == "email_exists"


def test_create_user_without_email_or_phone_is_a_validation_error(api: ApiTarget) -> None:
    response = _admin(api, "POST", "", json={"password": "something"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_failed",
        "message": "Cannot create a user without either an email or phone",
    }


def test_get_user_by_id(api: ApiTarget, throwaway_user: ThrowawayUser) -> None:
    response = _admin(api, "GET", f"/{throwaway_user.id}")
    assert response.status_code == 200
    assert response.json()["email"] == throwaway_user.email


def test_get_unknown_user_is_user_not_found(api: ApiTarget) -> None:
    response = _admin(api, "GET", f"/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"code": "user_not_found", "message": "User not found"}


def test_get_user_with_a_malformed_id_is_404(api: ApiTarget) -> None:
    response = _admin(api, "GET", "/not-a-uuid")
    assert response.status_code == 404
    assert response.json() == {"code": "validation_failed", "message": "user_id must be an UUID"}


def test_update_user_by_id_merges_metadata_and_sets_the_password(
    api: ApiTarget, throwaway_user: ThrowawayUser
) -> None:
    response = _admin(
        api,
        "PUT",
        f"/{throwaway_user.id}",
        json={
            "user_metadata": {"nickname": "t"},
            "app_metadata": {"tier": 2},
            "password": "changed-by-admin",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user_metadata"] == {"nickname": "t"}
    assert body["app_metadata"]["tier"] == 2
    assert body["app_metadata"]["provider"] == "email"
    assert api.sign_in(throwaway_user.email, "changed-by-admin").status_code == 200


def test_delete_user_returns_an_empty_object(api: ApiTarget) -> None:
    user = api.create_user()
    response = _admin(api, "DELETE", f"/{user.id}", json={"should_soft_delete": False})
    assert response.status_code == 200
    assert response.json() == {}
    assert _admin(api, "GET", f"/{user.id}").status_code == 404


def test_admin_api_refuses_a_user_token(api: ApiTarget, signed_in: SignedIn) -> None:
    response = requests.get(
        f"{api.auth_url}/admin/users", headers=api.user_headers(signed_in.access_token), timeout=10
    )
    assert response.status_code == 403
    assert response.json() == {"code": "not_admin", "message": "User not allowed"}


def test_admin_api_refuses_the_anon_key(api: ApiTarget) -> None:
    response = requests.get(f"{api.auth_url}/admin/users", headers=api.anon_headers(), timeout=10)
    assert response.status_code == 403
    assert response.json()["code"] == "not_admin"


def test_admin_api_accepts_the_opaque_secret_key(api: ApiTarget) -> None:
    """Kong swaps `apikey: sb_secret_...` for the service_role JWT (CLI local keys only)."""
    if api.service_role_key != keys.SERVICE_ROLE_KEY:
        pytest.skip("the opaque key is the Supabase CLI's local one")
    response = requests.get(
        f"{api.auth_url}/admin/users",
        params={"per_page": 1},
        headers={"apikey": "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
