"""GET /table: select, renames, casts, JSON paths, order, limit/offset, Range, counts, HEAD."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.conformance.support import RestClient

JSON = "application/json; charset=utf-8"


def test_select_columns_returns_them_in_order_with_content_range(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id,name&id=lt.3&order=id")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON
    assert response.headers["Content-Range"] == "0-1/*"
    assert response.json() == [{"id": 1, "name": "Windows 7"}, {"id": 2, "name": "Windows 10"}]


def test_content_location_is_the_canonical_query(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id&id=eq.1")
    assert response.headers["Content-Location"] == "/conf_projects?id=eq.1&select=id"


def test_star_selects_every_column(rest: RestClient) -> None:
    response = rest.get("conf_clients?id=eq.3")
    assert response.json() == [{"id": 3, "name": "Siemens", "country": None}]


def test_rename_and_cast(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=title:name,money:budget::text&id=eq.1")
    assert response.json() == [{"title": "Windows 7", "money": "100.5"}]


def test_json_path_takes_the_last_key_as_name(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id,meta->lead->>name,meta->size&id=eq.2")
    assert response.json() == [{"id": 2, "name": "bob", "size": 5}]


def test_json_path_with_alias(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=lead:meta->lead&id=eq.1")
    assert response.json() == [{"lead": {"name": "ann"}}]


def test_order_desc_nullslast_and_secondary_key(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id&order=budget.desc.nullslast,id.asc")
    assert [r["id"] for r in response.json()] == [2, 1, 4, 3, 5]


def test_order_nullsfirst(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id&order=budget.asc.nullsfirst,id")
    assert [r["id"] for r in response.json()] == [3, 5, 4, 1, 2]


def test_limit_and_offset(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id&order=id&limit=2&offset=1")
    assert response.status_code == 200
    assert response.headers["Content-Range"] == "1-2/*"
    assert response.json() == [{"id": 2}, {"id": 3}]


def test_range_header_pages(rest: RestClient) -> None:
    response = rest.get("conf_projects?select=id&order=id", headers={"Range": "2-3"})
    assert response.headers["Content-Range"] == "2-3/*"
    assert response.json() == [{"id": 3}, {"id": 4}]


def test_exact_count_of_a_partial_page_is_206(rest: RestClient) -> None:
    response = rest.get(
        "conf_projects?select=id&order=id&limit=2", headers={"Prefer": "count=exact"}
    )
    assert response.status_code == 206
    assert response.headers["Content-Range"] == "0-1/5"
    assert response.headers["Preference-Applied"] == "count=exact"


def test_exact_count_of_a_full_page_is_200(rest: RestClient) -> None:
    response = rest.get("conf_clients?select=id", headers={"Prefer": "count=exact"})
    assert response.status_code == 200
    assert response.headers["Content-Range"] == "0-2/3"


def test_count_of_no_rows_shows_star(rest: RestClient) -> None:
    response = rest.get("conf_clients?id=eq.99", headers={"Prefer": "count=exact"})
    assert response.status_code == 200
    assert response.headers["Content-Range"] == "*/0"
    assert response.json() == []


def test_offset_past_the_end_with_count_is_416(rest: RestClient) -> None:
    response = rest.get("conf_clients?offset=10&limit=1", headers={"Prefer": "count=exact"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "*/3"
    assert response.json() == {
        "code": "PGRST103",
        "details": "An offset of 10 was requested, but there are only 3 rows.",
        "hint": None,
        "message": "Requested range not satisfiable",
    }


def test_negative_limit_is_416(rest: RestClient) -> None:
    response = rest.get("conf_clients?limit=-1")
    assert response.status_code == 416
    assert response.json()["details"] == "Limit should be greater than or equal to zero."


def test_planned_count_gives_a_number(rest: RestClient) -> None:
    response = rest.get("conf_clients?select=id", headers={"Prefer": "count=planned"})
    total = response.headers["Content-Range"].split("/")[1]
    assert total.isdigit()
    assert response.headers["Preference-Applied"] == "count=planned"


def test_head_has_headers_and_no_body(rest: RestClient) -> None:
    response = rest.request("HEAD", "conf_clients", headers={"Prefer": "count=exact"})
    assert response.status_code == 200
    assert response.headers["Content-Range"] == "0-2/3"
    assert response.content == b""


def test_limit_zero_returns_an_empty_page(rest: RestClient) -> None:
    response = rest.get("conf_clients?limit=0", headers={"Prefer": "count=exact"})
    assert response.json() == []
    assert response.headers["Content-Range"] == "*/3"


def test_csv_output(rest: RestClient) -> None:
    response = rest.get(
        "conf_clients?select=id,name&order=id&id=lt.3", headers={"Accept": "text/csv"}
    )
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.text == "id,name\n1,Microsoft\n2,Apple"


def test_unknown_column_is_a_postgres_400(rest: RestClient) -> None:
    response = rest.get("conf_clients?select=zzzz")
    assert response.status_code == 400
    assert response.json() == {
        "code": "42703",
        "details": None,
        "hint": None,
        "message": "column conf_clients.zzzz does not exist",
    }


def test_unknown_table_is_pgrst205(rest: RestClient) -> None:
    response = rest.get("conf_clientz")
    assert response.status_code == 404
    assert response.json() == {
        "code": "PGRST205",
        "details": None,
        "hint": "Perhaps you meant the table 'public.conf_clients'",
        "message": "Could not find the table 'public.conf_clientz' in the schema cache",
    }


def test_vary_header_is_sent(rest: RestClient) -> None:
    assert rest.get("conf_clients").headers["Vary"] == "Accept, Prefer, Range"


# -- the same through supabase-py ------------------------------------------------


def test_client_select_order_range(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    result = (
        supabase_anon.table("conf_projects").select("id, name").order("id").range(1, 2).execute()
    )
    assert result.data == [{"id": 2, "name": "Windows 10"}, {"id": 3, "name": "IOS"}]


def test_client_exact_count(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    result = supabase_anon.table("conf_projects").select("id", count="exact").limit(1).execute()
    assert result.count == 5
    assert len(result.data) == 1


def test_client_head_count(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    result = supabase_anon.table("conf_clients").select("*", count="exact", head=True).execute()
    assert result.count == 3


@pytest.mark.parametrize(("desc", "expected"), [(False, [1, 2, 3]), (True, [3, 2, 1])])
def test_client_order_direction(supabase_anon, desc: bool, expected: list[int]) -> None:  # type: ignore[no-untyped-def]
    result = supabase_anon.table("conf_clients").select("id").order("id", desc=desc).execute()
    assert [r["id"] for r in result.data] == expected
