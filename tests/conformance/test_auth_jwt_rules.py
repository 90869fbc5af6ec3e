"""The gateway's request role: Kong's API-key rewrite and PostgREST's JWT rules (no server).

Cases and messages from PostgREST's `test/spec/Feature/Query/ErrorSpec.hs` and `AuthSpec.hs`
(v16) and the CLI's kong.yml BearerToken expression.
"""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from aimodels.gateway.settings import GatewaySettings
from aimodels.gateway.tokens import JwtError, effective_authorization, resolve_request_claims
from aimodels.stack import keys

SETTINGS = GatewaySettings(
    db_url="postgresql://authenticator@localhost/postgres",
    auth_db_url="postgresql://supabase_auth_admin@localhost/postgres",
    jwt_secret=keys.JWT_SECRET,
    anon_key=keys.ANON_KEY,
    service_role_key=keys.SERVICE_ROLE_KEY,
    publishable_key=keys.PUBLISHABLE_KEY,
    secret_key=keys.SECRET_KEY,
)
NOW = int(time.time())


def _bearer(claims: dict[str, object], secret: str = keys.JWT_SECRET) -> dict[str, str]:
    return {"authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}


def _error(headers: dict[str, str]) -> JwtError:
    with pytest.raises(JwtError) as raised:
        resolve_request_claims(SETTINGS, headers, now=NOW)
    assert raised.value.status == 401
    return raised.value


def test_no_token_runs_as_anon_with_only_the_role_claim() -> None:
    resolved = resolve_request_claims(SETTINGS, {}, now=NOW)
    assert resolved.role == "anon"
    assert resolved.claims_json == '{"role":"anon"}'


def test_anon_key_runs_as_anon_with_its_claims() -> None:
    resolved = resolve_request_claims(SETTINGS, {"authorization": f"Bearer {keys.ANON_KEY}"})
    assert resolved.role == "anon"
    assert json.loads(resolved.claims_json) == {
        "iss": "supabase-demo",
        "role": "anon",
        "exp": 1983812996,
    }


def test_secret_api_key_becomes_the_service_role_jwt() -> None:
    headers = {"apikey": keys.SECRET_KEY}
    assert effective_authorization(SETTINGS, headers) == f"Bearer {keys.SERVICE_ROLE_KEY}"
    assert resolve_request_claims(SETTINGS, headers).role == "service_role"


def test_publishable_key_in_bearer_is_replaced_by_the_anon_jwt() -> None:
    headers = {"apikey": keys.PUBLISHABLE_KEY, "authorization": f"Bearer {keys.PUBLISHABLE_KEY}"}
    assert effective_authorization(SETTINGS, headers) == f"Bearer {keys.ANON_KEY}"


def test_a_user_jwt_in_authorization_wins_over_the_apikey() -> None:
    headers = {"apikey": keys.SECRET_KEY, **_bearer({"role": "authenticated", "sub": "u"})}
    assert resolve_request_claims(SETTINGS, headers, now=NOW).role == "authenticated"


def test_token_without_role_claim_runs_as_anon_role_inserted() -> None:
    resolved = resolve_request_claims(SETTINGS, _bearer({"sub": "x"}), now=NOW)
    assert resolved.role == "anon"
    assert json.loads(resolved.claims_json) == {"sub": "x", "role": "anon"}


def test_empty_bearer_is_pgrst301() -> None:
    error = _error({"authorization": "Bearer "})
    assert (error.code, error.message) == ("PGRST301", "Empty JWT is sent in Authorization header")
    assert error.www_authenticate == (
        'Bearer error="invalid_token", '
        'error_description="Empty JWT is sent in Authorization header"'
    )


def test_two_part_token_is_pgrst301() -> None:
    error = _error({"authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.bm90IGFuIG9iamVjdA"})
    assert (error.code, error.message) == ("PGRST301", "Expected 3 parts in JWT; got 2")


def test_wrong_secret_finds_no_key() -> None:
    error = _error(_bearer({"role": "authenticated"}, "wrong secret that is long enough!!"))
    assert (error.code, error.message, error.details) == (
        "PGRST301",
        "No suitable key or wrong key type",
        "None of the keys was able to decode the JWT",
    )


def test_alg_none_is_an_unsupported_algorithm() -> None:
    token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.yOBhlOIqn56T-4NvyEXCjfi3UmyQZ-BzXtePMO2NgRI"
    error = _error({"authorization": f"Bearer {token}"})
    assert (error.code, error.message, error.details) == (
        "PGRST301",
        "Wrong or unsupported encoding algorithm",
        "JWT is unsecured but expected 'alg' was not 'none'",
    )


def test_random_characters_are_a_cryptographic_failure() -> None:
    error = _error({"authorization": "Bearer quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah"})
    assert (error.code, error.message) == ("PGRST301", "JWT cryptographic operation failed")


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": NOW - 35}, "JWT expired"),
        ({"nbf": NOW + 35}, "JWT not yet valid"),
        ({"iat": NOW + 35}, "JWT issued at future"),
        ({"exp": "soon"}, "The JWT 'exp' claim must be a number"),
        ({"aud": {"x": 1}}, "The JWT 'aud' claim must be a string or an array of strings"),
    ],
)
def test_claim_checks_are_pgrst303(claims: dict[str, object], message: str) -> None:
    error = _error(_bearer({"role": "authenticated", **claims}))
    assert (error.code, error.message) == ("PGRST303", message)


@pytest.mark.parametrize("claims", [{"exp": NOW - 25}, {"nbf": NOW + 25}, {"iat": NOW + 25}])
def test_thirty_seconds_of_clock_skew_are_allowed(claims: dict[str, object]) -> None:
    resolved = resolve_request_claims(SETTINGS, _bearer({"role": "x", **claims}), now=NOW)
    assert resolved.role == "x"


def test_non_bearer_authorization_is_ignored_as_postgrest_does() -> None:
    basic = base64.b64encode(b"user:pass").decode()
    assert resolve_request_claims(SETTINGS, {"authorization": f"Basic {basic}"}).role == "anon"
