"""/rpc/fn: POST with named arguments and defaults, a single unnamed json argument, GET
(read only), set-returning functions as filterable tables, void, and raised errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conformance.support import RestClient


def test_post_named_arguments_with_default(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_add", json={"a": 1})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == 11
    assert rest.request("POST", "rpc/conf_add", json={"a": 1, "b": 2}).json() == 3


def test_get_passes_arguments_in_the_query(rest: RestClient) -> None:
    response = rest.get("rpc/conf_add?a=2&b=5")
    assert response.status_code == 200
    assert response.json() == 7


def test_set_returning_function_is_filterable(rest: RestClient) -> None:
    response = rest.get(
        "rpc/conf_projects_of?client=1&select=id,name&id=gt.1",
        headers={"Prefer": "count=exact"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Range"] == "0-0/1"
    assert response.json() == [{"id": 2, "name": "Windows 10"}]


def test_set_returning_function_can_embed(rest: RestClient) -> None:
    response = rest.request(
        "POST", "rpc/conf_projects_of?select=id,conf_clients(name)", json={"client": 2}
    )
    assert response.json() == [
        {"id": 3, "conf_clients": {"name": "Apple"}},
        {"id": 4, "conf_clients": {"name": "Apple"}},
    ]


def test_single_unnamed_json_parameter_gets_the_body(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_echo", json={"x": [1, 2]})
    assert response.json() == {"x": [1, 2]}


def test_void_function_is_204(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_noop")
    assert response.status_code == 204
    assert response.content == b""


def test_function_sees_role_and_claims(owner_a_rest: RestClient) -> None:
    response = owner_a_rest.request("POST", "rpc/conf_whoami", json={})
    assert response.json() == {
        "role": "authenticated",
        "sub": "11111111-1111-1111-1111-111111111111",
        "method": "POST",
    }


def test_volatile_function_through_get_is_405_read_only(fresh_rest: RestClient) -> None:
    svc = fresh_rest.as_token(fresh_rest.api.service_role_key)
    response = svc.get("rpc/conf_create_tag?label=nope")
    assert response.status_code == 405
    assert response.json() == {
        "code": "25006",
        "details": None,
        "hint": None,
        "message": "cannot execute INSERT in a read-only transaction",
    }
    created = svc.request("POST", "rpc/conf_create_tag", json={"label": "yes"})
    assert created.status_code == 200
    assert created.json() == {"id": 3, "label": "yes"}


def test_unknown_function_is_pgrst202(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_addd", json={"a": 1})
    assert response.status_code == 404
    assert response.json() == {
        "code": "PGRST202",
        "details": "Searched for the function public.conf_addd with parameter a or with a single"
        " unnamed json/jsonb parameter, but no matches were found in the schema cache.",
        "hint": "Perhaps you meant to call the function public.conf_add",
        "message": "Could not find the function public.conf_addd(a) in the schema cache",
    }


def test_wrong_arguments_is_pgrst202(rest: RestClient) -> None:
    response = rest.get("rpc/conf_add?x=1")
    assert response.status_code == 404
    assert response.json()["message"] == (
        "Could not find the function public.conf_add(x) in the schema cache"
    )


def test_custom_sqlstate_is_400_with_its_code(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_fail", json={"code": "AM001"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "AM001",
        "details": "the detail",
        "hint": "the hint",
        "message": "custom failure",
    }


def test_pt_sqlstate_sets_the_status(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_fail", json={"code": "PT418"})
    assert response.status_code == 418
    assert response.json()["code"] == "PT418"


def test_raise_pgrst_controls_status_headers_and_body(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_fail", json={"code": "PGRST"})
    assert response.status_code == 409
    assert response.headers["X-Custom"] == "yes"
    assert response.json() == {
        "code": "C001",
        "details": "custom details",
        "hint": "custom hint",
        "message": "custom message",
    }


def test_plain_raise_is_p0001_400(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_fail", json={"code": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "P0001"


def test_response_status_and_headers_gucs(rest: RestClient) -> None:
    response = rest.request("POST", "rpc/conf_set_status", json={})
    assert response.status_code == 202
    assert response.headers["X-Fixture"] == "set"
    assert response.json() == {"ok": True}


def test_rpc_on_put_is_pgrst101(rest: RestClient) -> None:
    response = rest.request("PUT", "rpc/conf_add", json={"a": 1})
    assert response.status_code == 405
    assert response.json()["message"] == "Cannot use the PUT method on RPC"


# -- the same through supabase-py ---------------------------------------------------


def test_client_rpc_post_and_get(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    assert supabase_anon.rpc("conf_add", {"a": 4}).execute().data == 14
    assert supabase_anon.rpc("conf_add", {"a": 4, "b": 1}, get=True).execute().data == 5


def test_client_rpc_set_returning_with_filters(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    result = supabase_anon.rpc("conf_projects_of", {"client": 2}).select("id").eq("id", 4).execute()
    assert result.data == [{"id": 4}]


def test_client_rpc_void(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    assert supabase_anon.rpc("conf_noop", {}).execute().data == []
