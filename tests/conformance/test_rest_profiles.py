"""Schemas, media types, OPTIONS and the OpenAPI root."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conformance.support import RestClient


def test_accept_profile_of_an_exposed_schema(rest: RestClient) -> None:
    response = rest.get("conf_clients?select=id&id=eq.1", headers={"Accept-Profile": "public"})
    assert response.status_code == 200
    assert response.headers["Content-Profile"] == "public"


def test_unknown_schema_is_406_pgrst106(rest: RestClient) -> None:
    response = rest.get("conf_clients", headers={"Accept-Profile": "secret"})
    assert response.status_code == 406
    body = response.json()
    assert body["code"] == "PGRST106"
    assert body["message"] == "Invalid schema: secret"
    assert body["hint"].startswith("Only the following schemas are exposed: public")


def test_content_profile_for_writes(rest: RestClient) -> None:
    response = rest.request(
        "POST", "conf_tags", json={"id": 1, "label": "x"}, headers={"Content-Profile": "nope"}
    )
    assert response.status_code == 406
    assert response.json()["code"] == "PGRST106"


def test_single_object_accept(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?select=name&id=eq.1",
        headers={"Accept": "application/vnd.pgrst.object+json"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.pgrst.object+json; charset=utf-8"
    assert response.json() == {"name": "Microsoft"}


def test_single_object_of_zero_rows_is_406(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?id=eq.99", headers={"Accept": "application/vnd.pgrst.object+json"}
    )
    assert response.status_code == 406
    assert response.json() == {
        "code": "PGRST116",
        "details": "The result contains 0 rows",
        "hint": None,
        "message": "Cannot coerce the result to a single JSON object",
    }


def test_unsupported_accept_is_406_pgrst107(rest: RestClient) -> None:
    response = rest.get("conf_clients", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["message"] == "None of these media types are available: image/png"


def test_options_on_a_table_lists_methods(rest: RestClient) -> None:
    response = rest.request("OPTIONS", "conf_clients")
    assert response.status_code == 200
    assert response.headers["Allow"] == "OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE"


def test_options_on_a_view_without_pk(rest: RestClient) -> None:
    response = rest.request("OPTIONS", "conf_open_tasks")
    assert response.headers["Allow"] == "OPTIONS,GET,HEAD,POST,PATCH,DELETE"


def test_openapi_root_describes_the_schema(rest: RestClient) -> None:
    response = rest.get("")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/openapi+json; charset=utf-8"
    document = response.json()
    assert document["swagger"] == "2.0"
    assert "/conf_clients" in document["paths"]
    assert "/rpc/conf_add" in document["paths"]
    clients = document["definitions"]["conf_clients"]
    assert clients["required"] == ["id", "name"]
    assert clients["properties"]["id"] == {
        "description": "Note:\nThis is a Primary Key.<pk/>",
        "format": "int32",
        "type": "integer",
    }


def test_unknown_method_is_405(rest: RestClient) -> None:
    response = rest.request("TRACE", "conf_clients")
    assert response.status_code == 405


def test_nested_path_is_pgrst125(rest: RestClient) -> None:
    response = rest.get("conf_clients/1")
    assert response.status_code == 404
    assert response.json()["code"] == "PGRST125"
