"""config.toml's [auth.rate_limit] with GoTrue's 429, on a gateway of its own.

The test stack's gateway runs without per-IP limits (every test request comes from one
address); here a second gateway, in process, gets the limits the stack builds from
config.toml, on the same database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from aimodels.gateway.app import create_app
from aimodels.gateway.auth.config import AuthFlowSettings
from aimodels.gateway.settings import GatewaySettings
from aimodels.stack import keys
from aimodels.stack.auth_config import load_auth_config
from aimodels.stack.local_stack import LocalStack

CONFIG_TOML = Path(__file__).resolve().parents[2] / "supabase" / "config.toml"
HEADERS = {"apikey": keys.ANON_KEY, "X-Supabase-Api-Version": "2024-01-01"}
LEGACY_HEADERS = {"apikey": keys.ANON_KEY}


@pytest.fixture
def limited_gateway(local_stack: LocalStack) -> Iterator[TestClient]:
    auth = load_auth_config(CONFIG_TOML, smtp_port=None)
    settings = GatewaySettings(
        db_url=SecretStr(local_stack.cluster.url("authenticator")),
        auth_db_url=SecretStr(local_stack.cluster.url("supabase_auth_admin")),
        jwt_secret=SecretStr(keys.JWT_SECRET),
        anon_key=SecretStr(keys.ANON_KEY),
        service_role_key=SecretStr(keys.SERVICE_ROLE_KEY),
        auth_flows=AuthFlowSettings.model_validate(auth.flows.model_dump()),
        mailer_autoconfirm=auth.mailer_autoconfirm,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _wrong_password(client: TestClient, headers: dict[str, str]) -> tuple[int, object]:
    response = client.post(
        "/auth/v1/token?grant_type=password",
        json={"email": "admin@acme-law.example.test", "password": "wrong"},
        headers=headers,
    )
    return response.status_code, response.json()


def test_config_toml_allows_30_sign_ins_per_5_minutes() -> None:
    assert load_auth_config(CONFIG_TOML, smtp_port=None).flows.rate_limits.sign_in_sign_ups == 30


def test_the_31st_sign_in_from_one_ip_in_the_window_gets_429(limited_gateway: TestClient) -> None:
    answers = [_wrong_password(limited_gateway, HEADERS) for _ in range(31)]
    assert (
        answers[:30]
        == [(400, {"code": "invalid_credentials", "message": "Invalid login credentials"})] * 30
    )
    assert answers[30] == (
        429,
        {"code": "over_request_rate_limit", "message": "Request rate limit reached"},
    )
    legacy = limited_gateway.post(
        "/auth/v1/token?grant_type=password",
        json={"email": "admin@acme-law.example.test", "password": "wrong"},
        headers=LEGACY_HEADERS,
    )
    assert legacy.status_code == 429
    assert legacy.headers["x-sb-error-code"] == "over_request_rate_limit"
    assert legacy.json() == {
        "code": 429,
        "error_code": "over_request_rate_limit",
        "msg": "Request rate limit reached",
    }


def test_sign_ups_have_their_own_bucket_of_the_same_size(limited_gateway: TestClient) -> None:
    statuses = [
        limited_gateway.post("/auth/v1/signup", json={"email": "x"}, headers=HEADERS).status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [422] * 30 and statuses[30] == 429


def test_verifications_are_limited_by_token_verifications(limited_gateway: TestClient) -> None:
    body = {"type": "email", "email": "nobody@example.test", "token": "123456"}
    statuses = [
        limited_gateway.post("/auth/v1/verify", json=body, headers=HEADERS).status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [403] * 30 and statuses[30] == 429
