"""What the API edge (Kong in the CLI's stack) answers around /auth/v1 and /rest/v1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from tests.conformance.support import ApiTarget


def test_cors_preflight_is_answered_for_any_origin(api: ApiTarget) -> None:
    response = requests.options(
        f"{api.rest_url}/anything",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "apikey, authorization, content-type, prefer",
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in ("apikey", "authorization", "content-type", "prefer"):
        assert header in allowed


def test_responses_carry_the_cors_origin(api: ApiTarget) -> None:
    response = requests.get(
        f"{api.auth_url}/settings", headers={"Origin": "http://localhost:3000"}, timeout=10
    )
    assert response.headers["access-control-allow-origin"] == "*"


def test_auth_settings_report_email_sign_in(api: ApiTarget) -> None:
    response = requests.get(f"{api.auth_url}/settings", headers=api.anon_headers(), timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["external"]["email"] is True
    assert body["disable_signup"] is False
    assert {"mailer_autoconfirm", "phone_autoconfirm", "sms_provider"} <= set(body)


def test_auth_health_names_gotrue(api: ApiTarget) -> None:
    response = requests.get(f"{api.auth_url}/health", headers=api.anon_headers(), timeout=10)
    assert response.status_code == 200
    assert response.json()["name"] == "GoTrue"


def test_unknown_path_is_kongs_no_route(api: ApiTarget) -> None:
    response = requests.get(f"{api.url}/nowhere/v1", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"message": "no Route matched with those values"}
