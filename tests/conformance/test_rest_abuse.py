"""Abusive requests to /rest/v1 get PostgREST's clean JSON 4xx, never a 5xx or a traceback."""

from __future__ import annotations

import pytest

from tests.conformance.support import RestClient

DEPTH = 3000


def _is_json(response: object) -> bool:
    content_type = getattr(response, "headers", {}).get("content-type", "")
    return str(content_type).startswith("application/json")


def test_deeply_nested_json_body_is_pgrst102(service_rest: RestClient) -> None:
    body = "[" * DEPTH + "]" * DEPTH

    response = service_rest.request(
        "POST", "conf_clients", data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "PGRST102"


def test_deeply_nested_json_rpc_body_is_pgrst102(rest: RestClient) -> None:
    body = '{"a":' * DEPTH + "1" + "}" * DEPTH

    response = rest.request(
        "POST", "rpc/conf_echo", data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "PGRST102"


@pytest.mark.parametrize("logic", ["or", "and"])
def test_deeply_nested_logic_filter_is_a_clean_400(rest: RestClient, logic: str) -> None:
    depth = 1200
    tree = f"{logic}=(" + "or(" * depth + "id.eq.1" + ")" * depth + ")"

    response = rest.get(f"conf_clients?{tree}")

    assert response.status_code == 400, response.text[:300]
    assert _is_json(response)


def test_deeply_nested_select_is_a_clean_400(rest: RestClient) -> None:
    depth = 1500
    select = "a(" * depth + "id" + ")" * depth

    response = rest.get(f"conf_clients?select={select}")

    assert 400 <= response.status_code < 500, response.text[:300]
    assert _is_json(response)


def test_nul_byte_in_a_filter_is_400_not_a_database_outage(rest: RestClient) -> None:
    response = rest.get("conf_clients?name=eq.a%00b")

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "22021"


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("TRACE", "conf_clients", "PGRST117"),
        ("PROPFIND", "conf_clients", "PGRST117"),
        ("TRACE", "rpc/conf_echo", "PGRST101"),
    ],
)
def test_unknown_method_is_json_405(rest: RestClient, method: str, path: str, code: str) -> None:
    response = rest.request(method, path)

    assert response.status_code == 405, response.text
    assert response.json()["code"] == code
