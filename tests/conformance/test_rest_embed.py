"""Resource embedding: to-one, to-many, many-to-many, views, !inner, hints, spread, and the
filters, orders and limits that target an embed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conformance.support import RestClient


def test_to_one_embed_is_an_object(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id,conf_clients(name)&id=in.(1,5)&order=id")
    assert response.status_code == 200
    assert response.json() == [
        {"id": 1, "conf_clients": {"name": "Microsoft"}},
        {"id": 5, "conf_clients": None},
    ]


def test_to_many_embed_is_an_array(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?select=name,conf_projects(id)&order=id&conf_projects.order=id"
    )
    assert response.json() == [
        {"name": "Microsoft", "conf_projects": [{"id": 1}, {"id": 2}]},
        {"name": "Apple", "conf_projects": [{"id": 3}, {"id": 4}]},
        {"name": "Siemens", "conf_projects": []},
    ]


def test_embed_alias_and_nested_embed(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?select=name,works:conf_projects(id,notes:conf_notes!project_id(body))"
        "&id=eq.1&works.order=id"
    )
    assert response.json() == [
        {
            "name": "Microsoft",
            "works": [
                {"id": 1, "notes": [{"body": "first"}]},
                {"id": 2, "notes": [{"body": "second"}]},
            ],
        }
    ]


def test_embedded_filter_order_and_limit_touch_only_the_embed(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?select=id,conf_projects(id)&order=id"
        "&conf_projects.id=gt.1&conf_projects.order=id.desc&conf_projects.limit=1"
    )
    assert response.json() == [
        {"id": 1, "conf_projects": [{"id": 2}]},
        {"id": 2, "conf_projects": [{"id": 4}]},
        {"id": 3, "conf_projects": []},
    ]


def test_embedded_or_filter(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?select=id,conf_projects(id)&id=eq.1&conf_projects.or=(id.eq.2,id.eq.9)"
    )
    assert response.json() == [{"id": 1, "conf_projects": [{"id": 2}]}]


def test_inner_embed_filters_the_parent(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?select=name,conf_projects!inner(id)&conf_projects.name=eq.IOS",
        headers={"Prefer": "count=exact"},
    )
    assert response.json() == [{"name": "Apple", "conf_projects": [{"id": 3}]}]
    assert response.headers["Content-Range"] == "0-0/1"


def test_null_embed_filter(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id,conf_clients()&conf_clients=is.null")
    assert response.json() == [{"id": 5}]


def test_not_null_embed_filter_on_to_many(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?select=id,conf_projects(id)&conf_projects=not.is.null&conf_projects.id=eq.3"
    )
    assert response.json() == [{"id": 2, "conf_projects": [{"id": 3}]}]


def test_hint_by_column_and_by_constraint(rest: RestClient) -> None:
    by_column = rest.get("conf_notes?select=id,conf_projects!reviewed_project_id(name)&order=id")
    assert by_column.json() == [
        {"id": 1, "conf_projects": {"name": "Windows 10"}},
        {"id": 2, "conf_projects": None},
    ]
    by_constraint = rest.get(
        "conf_notes?select=id,conf_projects!conf_notes_project_id_fkey(name)&id=eq.1"
    )
    assert by_constraint.json() == [{"id": 1, "conf_projects": {"name": "Windows 7"}}]


def test_fk_column_as_embed_name(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id,client_id(name)&id=eq.3")
    assert response.json() == [{"id": 3, "client_id": {"name": "Apple"}}]


def test_spread_to_one_flattens_columns(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=name,...conf_clients(client:name,country)&id=eq.1")
    assert response.json() == [{"name": "Windows 7", "client": "Microsoft", "country": "US"}]


def test_many_to_many_through_the_junction(service_rest: RestClient) -> None:
    response = service_rest.get(
        "conf_tasks?select=id,conf_tags(label)&id=in.(1,2)&order=id&conf_tags.order=id"
    )
    assert response.json() == [
        {"id": 1, "conf_tags": [{"label": "urgent"}, {"label": "later"}]},
        {"id": 2, "conf_tags": []},
    ]


def test_view_keeps_the_base_table_relationship(rest: RestClient) -> None:
    response = rest.get("conf_open_tasks?select=id,conf_projects(name)&id=eq.4")
    assert response.json() == [{"id": 4, "conf_projects": {"name": "IOS"}}]


def test_order_by_a_to_one_embed(rest: RestClient) -> None:
    response = rest.get(
        "conf_projects?select=id,conf_clients(name)&id=lt.5&order=conf_clients(name).asc,id.desc"
    )
    assert [r["id"] for r in response.json()] == [4, 3, 2, 1]


def test_order_by_a_to_many_embed_is_pgrst118(rest: RestClient) -> None:
    response = rest.get("conf_clients?select=id,conf_projects(id)&order=conf_projects(id)")
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST118",
        "details": "'conf_clients' and 'conf_projects' do not form a many-to-one or one-to-one"
        " relationship",
        "hint": None,
        "message": "A related order on 'conf_projects' is not possible",
    }


def test_ambiguous_embed_is_300_pgrst201(rest: RestClient) -> None:
    response = rest.get("conf_notes?select=id,conf_projects(name)")
    assert response.status_code == 300
    body = response.json()
    assert body["code"] == "PGRST201"
    assert body["message"] == (
        "Could not embed because more than one relationship was found for 'conf_notes'"
        " and 'conf_projects'"
    )
    assert body["details"] == [
        {
            "cardinality": "many-to-one",
            "embedding": "conf_notes with conf_projects",
            "relationship": "conf_notes_project_id_fkey using conf_notes(project_id)"
            " and conf_projects(id)",
        },
        {
            "cardinality": "many-to-one",
            "embedding": "conf_notes with conf_projects",
            "relationship": "conf_notes_reviewed_project_id_fkey using"
            " conf_notes(reviewed_project_id) and conf_projects(id)",
        },
    ]
    assert body["hint"] == (
        "Try changing 'conf_projects' to one of the following:"
        " 'conf_projects!conf_notes_project_id_fkey',"
        " 'conf_projects!conf_notes_reviewed_project_id_fkey'."
        " Find the desired relationship in the 'details' key."
    )


def test_no_relationship_is_pgrst200(rest: RestClient) -> None:
    response = rest.get("conf_clients?select=id,conf_tags(id)")
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST200",
        "details": "Searched for a foreign key relationship between 'conf_clients' and"
        " 'conf_tags' in the schema 'public', but no matches were found.",
        "hint": "Perhaps you meant 'conf_projects' instead of 'conf_tags'.",
        "message": "Could not find a relationship between 'conf_clients' and 'conf_tags'"
        " in the schema cache",
    }


def test_tables_outside_the_exposed_schemas_are_never_embedded(rest: RestClient) -> None:
    # conf_hidden.conf_audits has a foreign key to conf_clients, but its schema is not exposed.
    response = rest.get("conf_clients?select=id,conf_audits(id)")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "PGRST200"
    assert body["message"] == (
        "Could not find a relationship between 'conf_clients' and 'conf_audits' in the schema cache"
    )
    assert body["details"] == (
        "Searched for a foreign key relationship between 'conf_clients' and"
        " 'conf_audits' in the schema 'public', but no matches were found."
    )


def test_filter_on_a_missing_embed_is_pgrst108(rest: RestClient) -> None:
    response = rest.get("conf_clients?select=id&conf_projects.id=eq.1")
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST108",
        "details": None,
        "hint": "Verify that 'conf_projects' is included in the 'select' query parameter.",
        "message": "'conf_projects' is not an embedded resource in this request",
    }


# -- the same through postgrest-py ------------------------------------------------


def test_client_embed_with_foreign_table_modifiers(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    result = (
        supabase_anon.table("conf_clients")
        .select("name, conf_projects(id)")
        .eq("id", 1)
        .order("id", desc=True, foreign_table="conf_projects")
        .limit(1, foreign_table="conf_projects")
        .execute()
    )
    assert result.data == [{"name": "Microsoft", "conf_projects": [{"id": 2}]}]


def test_client_inner_embed_and_reference_or(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    result = (
        supabase_anon.table("conf_clients")
        .select("id, conf_projects!inner(id)")
        .or_("id.eq.4,id.eq.1", reference_table="conf_projects")
        .order("id")
        .execute()
    )
    assert result.data == [
        {"id": 1, "conf_projects": [{"id": 1}]},
        {"id": 2, "conf_projects": [{"id": 4}]},
    ]
