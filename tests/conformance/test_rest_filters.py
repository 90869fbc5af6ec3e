"""Horizontal filtering: every operator, negation, quantifiers, and and/or logic trees."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.conformance.support import RestClient


def _ids(rest: RestClient, query: str, table: str = "conf_projects") -> list[int]:
    response = rest.get(f"{table}?select=id&order=id&{query}")
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("id=eq.2", [2]),
        ("id=neq.2", [1, 3, 4, 5]),
        ("id=gt.3", [4, 5]),
        ("id=gte.3", [3, 4, 5]),
        ("id=lt.2", [1]),
        ("id=lte.2", [1, 2]),
        ("name=like.*Windows*", [1, 2]),
        ("name=ilike.*windows 1*", [2]),
        ("name=match.^O", [4, 5]),
        ("name=imatch.^o", [4, 5]),
        ("budget=is.null", [3, 5]),
        ("budget=not.is.null", [1, 2, 4]),
        ("client_id=isdistinct.1", [3, 4, 5]),
        ("id=in.(1,3,5)", [1, 3, 5]),
        ('name=in.("Windows 7",IOS)', [1, 3]),
        ("id=in.()", []),
        ("id=not.in.(1,2,3)", [4, 5]),
        ("tags=cs.{os}", [1, 2]),
        ("tags=cd.{os,legacy}", [1, 2, 4, 5]),
        ("tags=ov.{mobile,legacy}", [1, 3]),
        ('meta=cs.{"size":3}', [1]),
        ("id=eq(any).{1,4}", [1, 4]),
        ("name=like(any).{IOS,OS*}", [3, 4]),
        ("name=like(all).{*Win*,*10}", [2]),
        ("id=not.eq.1", [2, 3, 4, 5]),
        ("meta->>size=eq.5", [2]),
        ("meta->lead->>name=eq.ann", [1]),
    ],
)
def test_operator(rest: RestClient, query: str, expected: list[int]) -> None:
    assert _ids(rest, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=fts.cat", [1]),
        ("search=fts(english).cats", [1]),
        ("title=plfts(english).design page", [1]),
        ("title=phfts(english).the cats page", [1]),
        ("title=wfts(english).design -cats", [3]),
        ("search=not.fts.design", [2, 4]),
    ],
)
def test_full_text_search(service_rest: RestClient, query: str, expected: list[int]) -> None:
    assert _ids(service_rest, query, "conf_tasks") == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("or=(id.eq.1,id.eq.3)", [1, 3]),
        ("and=(id.gt.1,id.lt.4)", [2, 3]),
        ("or=(id.eq.1,and(id.gt.3,name.like.O*))", [1, 4, 5]),
        ("not.or=(id.eq.1,id.eq.2)", [3, 4, 5]),
        ("or=(budget.is.null,tags.cs.{legacy})", [1, 3, 5]),
        ("or=(name.in.(IOS,OSX),id.eq.1)", [1, 3, 4]),
        ("or=(id.not.in.(1,2,3,4))", [5]),
        ("id=gt.1&or=(id.eq.2,id.eq.5)", [2, 5]),
        ('or=(name.eq."Windows 7",id.eq.4)', [1, 4]),
    ],
)
def test_logic_tree(rest: RestClient, query: str, expected: list[int]) -> None:
    assert _ids(rest, query) == expected


def test_is_true_false(service_rest: RestClient) -> None:
    assert _ids(service_rest, "done=is.true", "conf_tasks") == [2]
    assert _ids(service_rest, "done=is.false", "conf_tasks") == [1, 3, 4]


def test_bad_operator_is_pgrst100(rest: RestClient) -> None:
    response = rest.get("conf_projects?id=0")
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST100",
        "details": 'unexpected "0" expecting "not" or operator (eq, gt, ...)',
        "hint": None,
        "message": '"failed to parse filter (0)" (line 1, column 1)',
    }


def test_empty_logic_tree_is_pgrst100(rest: RestClient) -> None:
    response = rest.get("conf_projects?or=()")
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST100",
        "details": 'unexpected ")" expecting field name (* or [a..z0..9_$]),'
        " negation operator (not) or logic operator (and, or)",
        "hint": None,
        "message": '"failed to parse logic tree (())" (line 1, column 4)',
    }


def test_bad_order_is_pgrst100(rest: RestClient) -> None:
    response = rest.get("conf_projects?order=id.asc.nullslasttt")
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST100",
        "details": "unexpected 't' expecting \",\" or end of input",
        "hint": None,
        "message": '"failed to parse order (id.asc.nullslasttt)" (line 1, column 17)',
    }


def test_type_mismatch_is_22p02(rest: RestClient) -> None:
    response = rest.get("conf_projects?id=eq.abc")
    assert response.status_code == 400
    assert response.json() == {
        "code": "22P02",
        "details": None,
        "hint": None,
        "message": 'invalid input syntax for type integer: "abc"',
    }


# -- the same through postgrest-py ------------------------------------------------


def test_client_filters(supabase_anon) -> None:  # type: ignore[no-untyped-def]
    table = supabase_anon.table("conf_projects")
    assert [r["id"] for r in table.select("id").gt("id", 3).order("id").execute().data] == [4, 5]
    assert [r["id"] for r in table.select("id").in_("id", [1, 2]).order("id").execute().data] == [
        1,
        2,
    ]
    assert [r["id"] for r in table.select("id").is_("budget", None).order("id").execute().data] == [
        3,
        5,
    ]
    result = table.select("id").ilike("name", "%windows%").order("id").execute()
    assert [r["id"] for r in result.data] == [1, 2]
    result = table.select("id").contains("tags", ["os"]).order("id").execute()
    assert [r["id"] for r in result.data] == [1, 2]
    result = table.select("id").or_("id.eq.1,id.eq.5").order("id").execute()
    assert [r["id"] for r in result.data] == [1, 5]
    result = table.select("id").not_.eq("id", 1).order("id").execute()
    assert [r["id"] for r in result.data] == [2, 3, 4, 5]
    result = table.select("id").match({"client_id": 2, "name": "OSX"}).execute()
    assert result.data == [{"id": 4}]


def test_client_text_search(supabase_service) -> None:  # type: ignore[no-untyped-def]
    result = (
        supabase_service.table("conf_tasks")
        .select("id")
        .text_search("title", "design page", options={"type": "plain", "config": "english"})
        .execute()
    )
    assert result.data == [{"id": 1}]
