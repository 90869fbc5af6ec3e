"""The gateway serves again by itself after Postgres restarts: no gateway restart by hand.

While the database is down, `/health` says so (503 JSON) and API requests fail fast with
JSON errors; once it is back, REST and sign-in recover on their own within seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from aimodels.stack.local_stack import LocalStack
from tests.gateway_unit.support import DEV_PASSWORD, service_headers

pytestmark = pytest.mark.stack

RECOVERY_SECONDS = 10


def _rest(stack: LocalStack) -> requests.Response:
    return requests.get(
        f"{stack.info.api_url.rstrip('/')}/rest/v1/organizations?select=slug&limit=1",
        headers=service_headers(),
        timeout=30,
    )


def _sign_in(stack: LocalStack) -> requests.Response:
    return requests.post(
        f"{stack.info.api_url.rstrip('/')}/auth/v1/token?grant_type=password",
        json={"email": "user1@acme-law.example.test", "password": DEV_PASSWORD},
        headers=service_headers(),
        timeout=30,
    )


def _within(seconds: float, attempt: Callable[[], requests.Response]) -> requests.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = attempt()
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


# A long outage: the pool's reconnection delays must not have grown past a few seconds.
@pytest.mark.parametrize("outage_seconds", [0, 25])
def test_rest_and_auth_recover_after_postgres_restarts(
    local_stack: LocalStack, outage_seconds: float
) -> None:
    gateway_pid = local_stack.gateway.pid()
    assert _rest(local_stack).status_code == 200
    health_url = f"{local_stack.info.api_url.rstrip('/')}/health"

    local_stack.cluster.stop()
    try:
        health = requests.get(health_url, timeout=10)
        during = _rest(local_stack)
        time.sleep(outage_seconds)
    finally:
        local_stack.cluster.start()

    assert health.status_code == 503 and health.json()["status"] == "unavailable"
    assert during.status_code in (503, 504), during.text
    assert during.headers["content-type"].startswith("application/json")

    rest = _within(RECOVERY_SECONDS, lambda: _rest(local_stack))
    auth = _within(RECOVERY_SECONDS, lambda: _sign_in(local_stack))

    assert (rest.status_code, auth.status_code) == (200, 200), (rest.text, auth.text)
    assert requests.get(health_url, timeout=10).json() == {"status": "ok"}
    assert local_stack.gateway.pid() == gateway_pid, "the gateway was restarted"
