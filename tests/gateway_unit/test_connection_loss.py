"""The REST pool does not ping connections on checkout; it must survive losing them anyway."""

from __future__ import annotations

import psycopg
import pytest
import requests

from aimodels.stack import keys
from aimodels.stack.state import StackInfo

pytestmark = pytest.mark.stack

ORGANIZATIONS = "/rest/v1/organizations?select=slug&slug=eq.acme-law"


def _get_as_service_role(stack: StackInfo) -> requests.Response:
    headers = {"apikey": keys.SERVICE_ROLE_KEY, "Authorization": f"Bearer {keys.SERVICE_ROLE_KEY}"}
    return requests.get(stack.api_url.rstrip("/") + ORGANIZATIONS, headers=headers, timeout=10)


def _terminate_rest_connections(stack: StackInfo) -> int:
    with psycopg.connect(stack.db_url, autocommit=True) as conn:
        row = conn.execute(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity"
            " where application_name = 'aimodels-gateway-rest'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_request_after_server_closed_every_pooled_connection_succeeds(stack: StackInfo) -> None:
    assert _get_as_service_role(stack).status_code == 200
    assert _terminate_rest_connections(stack) >= 1, "the gateway held no REST connection"

    response = _get_as_service_role(stack)

    assert (response.status_code, response.json()) == (200, [{"slug": "acme-law"}])
