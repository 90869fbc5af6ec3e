"""EXPLAIN through `Accept: application/vnd.pgrst.plan` (PostgREST's db-plan-enabled), which
the local stack turns on for development; supabase-py's `.explain()` gets the plan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from aimodels.gateway.app import create_app
from aimodels.gateway.settings import GatewaySettings
from aimodels.stack import keys
from aimodels.stack.local_stack import LocalStack

if TYPE_CHECKING:
    from tests.conformance.support import RestClient

PLAN_JSON = "application/vnd.pgrst.plan+json"


def test_supabase_py_explain_returns_the_text_plan(supabase_anon: Any) -> None:
    plan = supabase_anon.table("conf_clients").select("name").explain().execute()
    assert isinstance(plan, str)
    assert "conf_clients" in plan and "cost=" in plan


def test_supabase_py_explain_analyze_as_json(supabase_anon: Any) -> None:
    answer = (
        supabase_anon.table("conf_clients")
        .select("name")
        .explain(analyze=True, verbose=True, format="json")
        .execute()
    )
    top = answer.data[0]["Plan"]
    assert "Actual Rows" in top, "ANALYZE ran the statement"
    assert "Output" in top, "VERBOSE lists each node's output"


def test_the_plan_media_type_and_content_type(rest: RestClient) -> None:
    response = rest.get("conf_clients?select=id", headers={"Accept": PLAN_JSON})
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        'application/vnd.pgrst.plan+json; for="application/json"; charset=utf-8'
    )
    assert response.json()[0]["Plan"]["Node Type"] == "Aggregate"


def test_text_plan_for_csv(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?select=id",
        headers={"Accept": 'application/vnd.pgrst.plan+text; for="text/csv"'},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        'application/vnd.pgrst.plan+text; for="text/csv"; charset=utf-8'
    )
    assert "Seq Scan" in response.text or "Index" in response.text


def test_an_unknown_option_is_not_acceptable(rest: RestClient) -> None:
    response = rest.get("conf_clients", headers={"Accept": f"{PLAN_JSON}; options=everything"})
    assert response.status_code == 406 and response.json()["code"] == "PGRST107"


def test_explain_analyze_of_a_write_changes_nothing(service_rest: RestClient) -> None:
    before = service_rest.get("conf_clients?select=id,name&order=id").json()
    response = service_rest.request(
        "PATCH",
        "conf_clients?id=eq.1",
        json={"name": "changed by explain"},
        headers={"Accept": f"{PLAN_JSON}; options=analyze"},
    )
    assert response.status_code == 200, response.text
    assert response.json()[0]["Plan"]["Actual Rows"] >= 0
    assert service_rest.get("conf_clients?select=id,name&order=id").json() == before


@pytest.fixture
def default_gateway(local_stack: LocalStack) -> Iterator[TestClient]:
    """A gateway with PostgREST's defaults: plans off."""
    settings = GatewaySettings(
        db_url=SecretStr(local_stack.cluster.url("authenticator")),
        auth_db_url=SecretStr(local_stack.cluster.url("supabase_auth_admin")),
        jwt_secret=SecretStr(keys.JWT_SECRET),
        anon_key=SecretStr(keys.ANON_KEY),
        service_role_key=SecretStr(keys.SERVICE_ROLE_KEY),
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.usefixtures("rest_schema")
def test_plans_are_off_unless_enabled(default_gateway: TestClient) -> None:
    response = default_gateway.get(
        "/rest/v1/conf_clients", headers={"apikey": keys.ANON_KEY, "Accept": PLAN_JSON}
    )
    assert response.status_code == 406
    assert response.json()["code"] == "PGRST107"
