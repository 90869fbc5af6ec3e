"""POST / PATCH / PUT / DELETE: statuses, Prefer return/count/resolution/missing, and bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from tests.conformance.support import RestClient

JSON = "application/json; charset=utf-8"


def _service(rest: RestClient) -> RestClient:
    return rest.as_token(rest.api.service_role_key)


def _count_rows(rest: RestClient, table: str, where: str = "true") -> int:
    assert rest.api.db_url
    with psycopg.connect(rest.api.db_url) as conn:
        row = conn.execute(f"select count(*) from public.{table} where {where}").fetchone()
    assert row is not None
    return int(row[0])


def test_insert_minimal_is_201_without_body(fresh_rest: RestClient) -> None:
    svc = _service(fresh_rest)
    response = svc.request(
        "POST", "conf_tags", json={"id": 10, "label": "new"}, headers={"Prefer": "return=minimal"}
    )
    assert response.status_code == 201
    assert response.content == b""
    assert response.headers["Content-Range"] == "*/*"
    assert response.headers["Preference-Applied"] == "return=minimal"
    assert "Content-Type" not in response.headers
    assert _count_rows(fresh_rest, "conf_tags", "id = 10") == 1


def test_insert_representation_returns_the_rows(fresh_rest: RestClient) -> None:
    svc = _service(fresh_rest)
    response = svc.request(
        "POST",
        "conf_tags?select=id,label",
        json=[{"id": 11, "label": "a"}, {"id": 12, "label": "b"}],
        headers={"Prefer": "return=representation,count=exact"},
    )
    assert response.status_code == 201
    assert response.headers["Content-Type"] == JSON
    assert response.headers["Content-Range"] == "*/2"
    assert response.headers["Preference-Applied"] == "return=representation, count=exact"
    assert response.json() == [{"id": 11, "label": "a"}, {"id": 12, "label": "b"}]


def test_insert_with_embed_in_the_representation(fresh_rest: RestClient) -> None:
    svc = _service(fresh_rest)
    response = svc.request(
        "POST",
        "conf_projects?select=name,conf_clients(name)",
        json={"id": 20, "name": "New", "client_id": 3},
        headers={"Prefer": "return=representation"},
    )
    assert response.status_code == 201
    assert response.json() == [{"name": "New", "conf_clients": {"name": "Siemens"}}]


def test_headers_only_gives_location(fresh_rest: RestClient) -> None:
    svc = _service(fresh_rest)
    response = svc.request(
        "POST",
        "conf_tags",
        json={"id": 13, "label": "loc"},
        headers={"Prefer": "return=headers-only"},
    )
    assert response.status_code == 201
    assert response.headers["Location"] == "/conf_tags?id=eq.13"
    assert response.content == b""


def test_columns_param_and_missing_default(fresh_rest: RestClient) -> None:
    svc = _service(fresh_rest)
    response = svc.request(
        "POST",
        'conf_tasks?columns="project_id","title","priority"&select=title,priority,done',
        json=[{"project_id": 1, "title": "x", "priority": 7}, {"project_id": 1, "title": "y"}],
        headers={"Prefer": "return=representation,missing=default"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["Preference-Applied"] == "missing=default, return=representation"
    assert response.json() == [
        {"title": "x", "priority": 7, "done": False},
        {"title": "y", "priority": 3, "done": False},
    ]


def test_keys_must_match_across_objects(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request("POST", "conf_tags", json=[{"id": 1}, {"label": "x"}])
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST102",
        "details": None,
        "hint": None,
        "message": "All object keys must match",
    }


def test_invalid_json_is_pgrst102(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request(
        "POST", "conf_tags", data="{bad", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Empty or invalid json"


def test_unknown_column_in_body_is_pgrst204(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request("POST", "conf_tags", json={"id": 1, "nope": 1})
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST204",
        "details": None,
        "hint": None,
        "message": "Could not find the 'nope' column of 'conf_tags' in the schema cache",
    }


def test_duplicate_key_is_409(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request("POST", "conf_tags", json={"id": 1, "label": "x"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "23505"
    assert body["message"] == 'duplicate key value violates unique constraint "conf_tags_pkey"'
    assert body["details"] == "Key (id)=(1) already exists."


def test_not_null_violation_is_400(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request("POST", "conf_tags", json={"id": 30})
    assert response.status_code == 400
    assert response.json()["code"] == "23502"


def test_upsert_merge_duplicates_updates_existing_rows(fresh_rest: RestClient) -> None:
    svc = _service(fresh_rest)
    response = svc.request(
        "POST",
        "conf_tags",
        json=[{"id": 1, "label": "URGENT"}],
        headers={"Prefer": "resolution=merge-duplicates,return=representation"},
    )
    assert response.status_code == 200
    assert response.headers["Preference-Applied"] == (
        "resolution=merge-duplicates, return=representation"
    )
    assert response.json() == [{"id": 1, "label": "URGENT"}]


def test_upsert_merge_with_a_new_row_is_201(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request(
        "POST",
        "conf_tags",
        json=[{"id": 1, "label": "urgent"}, {"id": 40, "label": "fresh"}],
        headers={"Prefer": "resolution=merge-duplicates"},
    )
    assert response.status_code == 201


def test_upsert_ignore_duplicates_on_conflict_column(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request(
        "POST",
        "conf_tags?on_conflict=label",
        json=[{"id": 50, "label": "urgent"}, {"id": 51, "label": "brand"}],
        headers={"Prefer": "resolution=ignore-duplicates,return=representation"},
    )
    assert response.status_code == 201
    assert response.json() == [{"id": 51, "label": "brand"}]


def test_patch_minimal_is_204_with_content_range(fresh_rest: RestClient) -> None:
    svc = _service(fresh_rest)
    response = svc.request("PATCH", "conf_projects?id=in.(1,2)", json={"budget": 1})
    assert response.status_code == 204
    assert response.headers["Content-Range"] == "0-1/*"
    assert _count_rows(fresh_rest, "conf_projects", "budget = 1") == 2


def test_patch_representation_is_200(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request(
        "PATCH",
        "conf_projects?id=eq.3&select=id,budget",
        json={"budget": 9},
        headers={"Prefer": "return=representation,count=exact"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Range"] == "0-0/1"
    assert response.json() == [{"id": 3, "budget": 9}]


def test_patch_nothing_matched(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request("PATCH", "conf_projects?id=eq.99", json={"budget": 1})
    assert response.status_code == 204
    assert response.headers["Content-Range"] == "*/*"


def test_delete_representation_and_minimal(fresh_rest: RestClient) -> None:
    svc = _service(fresh_rest)
    response = svc.request(
        "DELETE", "conf_task_tags?task_id=eq.3", headers={"Prefer": "return=representation"}
    )
    assert response.status_code == 200
    assert response.json() == [{"task_id": 3, "tag_id": 2}]
    response = svc.request(
        "DELETE", "conf_task_tags?task_id=eq.1", headers={"Prefer": "count=exact"}
    )
    assert response.status_code == 204
    assert response.headers["Content-Range"] == "*/2"


def test_put_inserts_then_replaces(fresh_rest: RestClient) -> None:
    svc = _service(fresh_rest)
    created = svc.request(
        "PUT",
        "conf_tags?id=eq.60",
        json={"id": 60, "label": "put"},
        headers={"Prefer": "return=representation"},
    )
    assert created.status_code == 201
    assert created.json() == [{"id": 60, "label": "put"}]
    replaced = svc.request(
        "PUT",
        "conf_tags?id=eq.60",
        json={"id": 60, "label": "again"},
        headers={"Prefer": "return=representation"},
    )
    assert replaced.status_code == 200
    assert replaced.json() == [{"id": 60, "label": "again"}]
    minimal = svc.request("PUT", "conf_tags?id=eq.60", json={"id": 60, "label": "x"})
    assert minimal.status_code == 204


def test_put_with_mismatched_key_is_pgrst115(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request(
        "PUT", "conf_tags?id=eq.61", json={"id": 62, "label": "x"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "PGRST115"


def test_put_without_pk_filter_is_pgrst105(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request(
        "PUT", "conf_tags?label=eq.x", json={"id": 62, "label": "x"}
    )
    assert response.status_code == 405
    assert response.json()["code"] == "PGRST105"


def test_single_object_mutation_rolls_back_on_many_rows(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request(
        "PATCH",
        "conf_projects?id=in.(1,2)",
        json={"budget": 0},
        headers={"Accept": "application/vnd.pgrst.object+json", "Prefer": "return=representation"},
    )
    assert response.status_code == 406
    assert response.json() == {
        "code": "PGRST116",
        "details": "The result contains 2 rows",
        "hint": None,
        "message": "Cannot coerce the result to a single JSON object",
    }
    assert _count_rows(fresh_rest, "conf_projects", "budget = 0") == 0


def test_rls_lets_owners_insert_only_their_rows(fresh_rest: RestClient) -> None:
    from tests.conformance.support import OWNER_A, OWNER_B, sign_token

    token = sign_token(fresh_rest.api, {"sub": OWNER_A, "role": "authenticated"})
    owner = fresh_rest.as_token(token)
    ok = owner.request(
        "POST", "conf_tasks", json={"project_id": 1, "title": "t", "owner_id": OWNER_A}
    )
    assert ok.status_code == 201
    denied = owner.request(
        "POST", "conf_tasks", json={"project_id": 1, "title": "t", "owner_id": OWNER_B}
    )
    assert denied.status_code == 403
    assert denied.json() == {
        "code": "42501",
        "details": None,
        "hint": None,
        "message": 'new row violates row-level security policy for table "conf_tasks"',
    }
    mine = owner.get("conf_tasks?select=id&order=id")
    assert [r["id"] for r in mine.json()] == [1, 2, 101]


# -- the same through postgrest-py ------------------------------------------------


def test_client_insert_update_upsert_delete(fresh_rest: RestClient, supabase_service) -> None:  # type: ignore[no-untyped-def]
    table = supabase_service.table("conf_tags")
    assert table.insert({"id": 70, "label": "c"}).execute().data == [{"id": 70, "label": "c"}]
    assert table.update({"label": "d"}).eq("id", 70).execute().data == [{"id": 70, "label": "d"}]
    upserted = table.upsert([{"id": 70, "label": "e"}, {"id": 71, "label": "f"}]).execute()
    assert upserted.data == [{"id": 70, "label": "e"}, {"id": 71, "label": "f"}]
    ignored = table.upsert({"id": 71, "label": "zz"}, ignore_duplicates=True).execute()
    assert ignored.data == []
    deleted = table.delete().in_("id", [70, 71]).execute()
    assert sorted(r["id"] for r in deleted.data) == [70, 71]


def test_client_single_and_maybe_single(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    from postgrest.exceptions import APIError

    one = supabase_anon.table("conf_clients").select("name").eq("id", 2).single().execute()
    assert one.data == {"name": "Apple"}
    none = supabase_anon.table("conf_clients").select("name").eq("id", 9).maybe_single().execute()
    assert none is None
    try:
        supabase_anon.table("conf_clients").select("name").single().execute()
        raise AssertionError("single() over three rows must fail")
    except APIError as error:
        assert error.code == "PGRST116"


def test_strict_max_affected_rolls_back(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request(
        "PATCH",
        "conf_projects?id=in.(1,2,3)",
        json={"budget": 0},
        headers={"Prefer": "handling=strict,max-affected=2"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST124",
        "details": "The query affects 3 rows",
        "hint": None,
        "message": "Query result exceeds max-affected preference constraint",
    }
    assert _count_rows(fresh_rest, "conf_projects", "budget = 0") == 0


def test_strict_handling_rejects_unknown_preferences(fresh_rest: RestClient) -> None:
    response = _service(fresh_rest).request(
        "PATCH",
        "conf_projects?id=eq.1",
        json={"budget": 0},
        headers={"Prefer": "handling=strict,bogus=1"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST122",
        "details": "Invalid preferences: bogus=1",
        "hint": None,
        "message": "Invalid preferences given with handling=strict",
    }
