"""Abusive requests to /auth/v1 get GoTrue's JSON 4xx, never a 500 or a traceback."""

from __future__ import annotations

import pytest
import requests

from tests.conformance.support import ApiTarget

DEPTH = 3000


@pytest.mark.parametrize(
    "body", ["[" * DEPTH + "]" * DEPTH, '{"email":' + '{"a":' * DEPTH + "1" + "}" * DEPTH + "}"]
)
def test_deeply_nested_json_body_is_bad_json(api: ApiTarget, body: str) -> None:
    response = requests.post(
        f"{api.auth_url}/token?grant_type=password",
        data=body,
        headers={**api.anon_headers(), "Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 400, response.text[:300]
    assert response.json()["code"] == "bad_json"


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_unknown_method_is_json_405(api: ApiTarget, method: str) -> None:
    response = requests.request(
        method, f"{api.auth_url}/token", headers=api.anon_headers(), timeout=10
    )

    assert response.status_code == 405, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_unknown_method_on_a_gateway_path_is_json_405(api: ApiTarget, method: str) -> None:
    response = requests.request(method, f"{api.url}/health", timeout=10)

    assert response.status_code == 405, response.text
    assert response.headers["content-type"].startswith("application/json")
