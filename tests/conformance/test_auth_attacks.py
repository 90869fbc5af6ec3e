"""Hostile requests to /auth/v1: forged, unsigned and expired tokens, oversized bodies."""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING

import jwt
import requests

if TYPE_CHECKING:
    from tests.conformance.support import ApiTarget, SignedIn

BAD_JWT = "invalid JWT: unable to parse or verify signature, "


def _user_claims(signed_in: SignedIn) -> dict[str, object]:
    return jwt.decode(signed_in.access_token, options={"verify_signature": False})


def _get_user(api: ApiTarget, token: str) -> requests.Response:
    return requests.get(f"{api.auth_url}/user", headers=api.user_headers(token), timeout=10)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_token_signed_with_another_secret_is_bad_jwt(api: ApiTarget, signed_in: SignedIn) -> None:
    forged = jwt.encode(
        _user_claims(signed_in), "another-secret-that-is-at-least-32-chars!", algorithm="HS256"
    )
    response = _get_user(api, forged)
    assert response.status_code == 403
    assert response.json() == {
        "code": "bad_jwt",
        "message": BAD_JWT + "token signature is invalid: signature is invalid",
    }
    assert response.headers["x-sb-error-code"] == "bad_jwt"


def test_unsigned_alg_none_token_is_bad_jwt(api: ApiTarget, signed_in: SignedIn) -> None:
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_user_claims(signed_in))}."
    response = _get_user(api, unsigned)
    assert response.status_code == 403
    assert response.json() == {
        "code": "bad_jwt",
        "message": BAD_JWT + "token signature is invalid: signing method none is invalid",
    }


def test_expired_token_is_bad_jwt(api: ApiTarget, signed_in: SignedIn) -> None:
    claims = {**_user_claims(signed_in), "iat": int(time.time()) - 7200}
    claims["exp"] = int(time.time()) - 3600
    expired = jwt.encode(claims, api.jwt_secret, algorithm="HS256")
    response = _get_user(api, expired)
    assert response.status_code == 403
    assert response.json() == {
        "code": "bad_jwt",
        "message": BAD_JWT + "token has invalid claims: token is expired",
    }


def test_garbage_token_is_bad_jwt(api: ApiTarget) -> None:
    response = _get_user(api, "not-a-jwt")
    assert response.status_code == 403
    assert response.json() == {
        "code": "bad_jwt",
        "message": BAD_JWT + "token is malformed: token contains an invalid number of segments",
    }


def test_validly_signed_token_for_a_deleted_user_is_user_not_found(
    api: ApiTarget, signed_in: SignedIn
) -> None:
    api.delete_user(signed_in.user.id)
    response = _get_user(api, signed_in.access_token)
    assert response.status_code == 403
    assert response.json() == {
        "code": "user_not_found",
        "message": "User from sub claim in JWT does not exist",
    }


def test_token_with_a_service_role_claim_but_wrong_secret_is_not_admin_capable(
    api: ApiTarget,
) -> None:
    forged = jwt.encode(
        {"role": "service_role", "iss": "supabase-demo"},
        "another-secret-that-is-at-least-32-chars!",
        algorithm="HS256",
    )
    response = requests.get(
        f"{api.auth_url}/admin/users", headers=api.user_headers(forged), timeout=10
    )
    assert response.status_code == 403
    assert response.json()["code"] == "bad_jwt"


def test_oversized_body_is_413(api: ApiTarget) -> None:
    body = json.dumps({"email": "a@example.test", "password": "x" * (2 * 1024 * 1024)})
    response = requests.post(
        f"{api.auth_url}/token?grant_type=password",
        data=body,
        headers={**api.anon_headers(), "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
