"""Hostile input: SQL in names and values is quoted or bound (clean 4xx, nothing changed),
and tokens PostgREST rejects are 401 with its codes and a WWW-Authenticate challenge."""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING

import psycopg
import pytest

if TYPE_CHECKING:
    from tests.conformance.support import RestClient


def _clients_count(rest: RestClient) -> int:
    assert rest.api.db_url
    with psycopg.connect(rest.api.db_url) as conn:
        row = conn.execute("select count(*) from public.conf_clients").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(
    "path",
    [
        'conf_clients?select="id; drop table public.conf_clients; --"',
        "conf_clients?select=id&id=eq.1;delete from public.conf_clients",
        "conf_clients?select=id&name=eq.x' or '1'='1",
        'conf_clients?order="id; drop table public.conf_clients"',
        "conf_clients?select=id::text);delete from public.conf_clients;--",
        "conf_clients?select=id&or=(id.eq.1);delete from public.conf_clients;--",
        'conf_clients?select=name->>"a\'); delete from public.conf_clients; --"',
        "conf_clients;delete from public.conf_clients",
        "rpc/conf_add;delete from public.conf_clients",
    ],
)
def test_sql_in_names_and_values_changes_nothing(service_rest: RestClient, path: str) -> None:
    before = _clients_count(service_rest)
    response = service_rest.get(path)
    assert response.status_code in (200, 400, 404), response.text
    assert response.json() is not None
    assert _clients_count(service_rest) == before


def test_value_with_quote_is_matched_literally(rest: RestClient) -> None:
    response = rest.get("conf_clients?select=id&name=eq.x' or '1'='1")
    assert response.status_code == 200
    assert response.json() == []


def test_quoted_column_name_is_an_identifier(rest: RestClient) -> None:
    response = rest.get('conf_clients?select="id; drop table x"')
    assert response.status_code == 400
    assert response.json()["code"] == "42703"


def test_rpc_name_with_sql_is_pgrst202(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_noop();delete from public.conf_clients;--", json={})
    assert response.status_code == 404
    assert response.json()["code"] == "PGRST202"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _assert_jwt_error(response, code: str, message: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response.json()["message"] == message
    assert response.headers["WWW-Authenticate"] == (
        f'Bearer error="invalid_token", error_description="{message}"'
    )


def test_token_signed_with_another_secret(rest: RestClient) -> None:
    from tests.conformance.support import sign_token

    token = sign_token(rest.api, {"role": "service_role"}, secret="x" * 40)
    response = rest.as_token(token).get("conf_clients")
    assert response.status_code == 401
    assert response.json()["code"] == "PGRST301"
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_alg_none_token(rest: RestClient) -> None:
    token = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64({"role": "service_role"}) + "."
    response = rest.as_token(token).get("conf_clients")
    _assert_jwt_error(response, "PGRST301", "Wrong or unsupported encoding algorithm")


def test_expired_token(rest: RestClient) -> None:
    from tests.conformance.support import sign_token

    token = sign_token(rest.api, {"role": "anon", "exp": int(time.time()) - 3600})
    _assert_jwt_error(rest.as_token(token).get("conf_clients"), "PGRST303", "JWT expired")


def test_malformed_token(rest: RestClient) -> None:
    _assert_jwt_error(
        rest.as_token("not-a-jwt").get("conf_clients"),
        "PGRST301",
        "Expected 3 parts in JWT; got 1",
    )


def test_role_that_does_not_exist_is_401(rest: RestClient) -> None:
    from tests.conformance.support import sign_token

    token = sign_token(rest.api, {"role": "no_such_role"})
    response = rest.as_token(token).get("conf_clients")
    assert response.status_code == 401
    assert response.json()["code"] == "22023"
    assert response.json()["message"] == 'role "no_such_role" does not exist'


def test_anon_without_privilege_is_401_authenticated_is_403(rest: RestClient) -> None:
    from tests.conformance.support import OWNER_A, sign_token

    anon = rest.request("POST", "conf_tags", json={"id": 99, "label": "x"})
    assert anon.status_code == 401
    assert anon.headers["WWW-Authenticate"] == "Bearer"
    assert anon.json() == {
        "code": "42501",
        "details": None,
        "hint": None,
        "message": "permission denied for table conf_tags",
    }
    user = rest.as_token(sign_token(rest.api, {"role": "authenticated", "sub": OWNER_A}))
    denied = user.request("DELETE", "conf_clients?id=eq.1")
    assert denied.status_code == 403
    assert denied.json()["code"] == "42501"


def test_oversized_body_is_413(service_rest: RestClient) -> None:
    body = json.dumps([{"id": i, "label": "x" * 100} for i in range(20000)])
    response = service_rest.request(
        "POST", "conf_tags", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
