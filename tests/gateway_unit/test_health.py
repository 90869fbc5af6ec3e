"""`/health` and `/ready` tell the truth about the database behind the gateway."""

from __future__ import annotations

import pytest
import requests
from starlette.testclient import TestClient

from aimodels.gateway.app import create_app
from aimodels.gateway.settings import GatewaySettings
from aimodels.stack.state import StackInfo
from tests.gateway_unit.support import terminate_rest_backends


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_probe_is_503_json_when_the_database_is_down(
    offline_settings: GatewaySettings, path: str
) -> None:
    with TestClient(create_app(offline_settings)) as client:
        response = client.get(path)
        head = client.head(path)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"], "a 503 says why"
    assert head.status_code == 503


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_probe_is_200_when_the_database_answers(stack: StackInfo, path: str) -> None:
    url = stack.api_url.rstrip("/") + path

    response = requests.get(url, timeout=10)
    head = requests.head(url, timeout=10)

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert head.status_code == 200


def test_health_is_200_again_after_every_rest_backend_was_terminated(stack: StackInfo) -> None:
    url = stack.api_url.rstrip("/") + "/health"
    assert requests.get(url, timeout=10).status_code == 200
    terminate_rest_backends(stack)

    # Broken pooled connections are skipped and replaced: the database itself is fine.
    assert requests.get(url, timeout=10).json() == {"status": "ok"}
