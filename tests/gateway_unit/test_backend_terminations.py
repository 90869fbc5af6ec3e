"""REST keeps serving while its backends are terminated mid-request, and after.

The reproducer: eight clients call an RPC in a loop while another connection terminates all the
gateway's REST backends every 0.05 s. A connection broken mid-pipeline must be
discarded and replaced (never leaked back, never kept), so once the terminations stop the
pool serves again by itself.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests

from aimodels.stack.state import StackInfo
from tests.gateway_unit.support import sign_in, terminate_rest_backends, user_headers

pytestmark = pytest.mark.stack

CLIENTS = 8
TERMINATION_ROUNDS = 60
RECOVERY_REQUESTS = 30


def _call_quota_status(session: requests.Session, url: str, headers: dict[str, str]) -> int:
    response = session.post(
        f"{url}/rest/v1/rpc/quota_status",
        json={"model_id": str(uuid.uuid4())},
        headers=headers,
        # Longer than the pool's acquisition timeout: a hung request means a starved pool.
        timeout=20,
    )
    # Every answer, even a failure, is PostgREST's JSON error shape.
    assert response.headers["content-type"].startswith("application/json"), response.text
    return response.status_code


def test_rest_serves_again_after_backends_are_terminated_mid_request(stack: StackInfo) -> None:
    url = stack.api_url.rstrip("/")
    headers = user_headers(sign_in(stack, "user1@acme-law.example.test"))
    stop = threading.Event()
    statuses: list[int] = []
    failures: list[BaseException] = []

    def client() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                try:
                    statuses.append(_call_quota_status(session, url, headers))
                except BaseException as error:  # surfaced by the main thread
                    failures.append(error)
                    return

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    terminated = 0
    try:
        for _ in range(TERMINATION_ROUNDS):
            terminated += terminate_rest_backends(stack)
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not failures, failures[0]
    assert terminated > 0, "no REST backend was ever terminated: the test proved nothing"

    # A fresh session: the loop above is over, nothing terminates backends any more.
    with requests.Session() as session:
        after = [_call_quota_status(session, url, headers) for _ in range(RECOVERY_REQUESTS)]

    # An unknown model is the RPC's own 400 refusal: the request reached the database.
    assert after == [400] * RECOVERY_REQUESTS, (
        f"REST did not recover after {terminated} terminations: {after}"
    )
