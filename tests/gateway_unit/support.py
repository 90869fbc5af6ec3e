"""Helpers shared by the gateway tests that reach the test stack."""

from __future__ import annotations

import psycopg
import requests

from aimodels.stack import keys
from aimodels.stack.state import StackInfo

DEV_PASSWORD = "aimodels-dev-password"
REST_APPLICATION = "aimodels-gateway-rest"


def service_headers() -> dict[str, str]:
    return {"apikey": keys.SERVICE_ROLE_KEY, "Authorization": f"Bearer {keys.SERVICE_ROLE_KEY}"}


def sign_in(stack: StackInfo, email: str) -> str:
    """An access token for a seeded account (password grant)."""
    response = requests.post(
        f"{stack.api_url.rstrip('/')}/auth/v1/token?grant_type=password",
        json={"email": email, "password": DEV_PASSWORD},
        headers={"apikey": keys.ANON_KEY},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def user_headers(token: str) -> dict[str, str]:
    return {"apikey": keys.ANON_KEY, "Authorization": f"Bearer {token}"}


def terminate_rest_backends(stack: StackInfo, *, only_active: bool = False) -> int:
    """pg_terminate_backend on the gateway's REST connections; returns how many."""
    active = " and state = 'active'" if only_active else ""
    with psycopg.connect(stack.db_url, autocommit=True) as conn:
        row = conn.execute(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity"
            f" where application_name = %s{active}",
            (REST_APPLICATION,),
        ).fetchone()
    return int(row[0]) if row else 0


def rest_backend_count(stack: StackInfo) -> int:
    with psycopg.connect(stack.db_url, autocommit=True) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity where application_name = %s",
            (REST_APPLICATION,),
        ).fetchone()
    return int(row[0]) if row else 0
