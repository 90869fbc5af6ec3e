"""The query-string grammar: inputs -> typed values, bad input -> PostgREST's PGRST100 text."""

from __future__ import annotations

import pytest

from aimodels.gateway.rest.errors import ApiError
from aimodels.gateway.rest.query_params import parse_query, parse_select
from aimodels.gateway.rest.types import (
    FieldRef,
    Filter,
    FtsOp,
    FtsOperator,
    InOp,
    IsOp,
    IsValue,
    JoinType,
    JsonArrow,
    JsonOperation,
    LogicExpr,
    OpExpr,
    OrderDirection,
    OrderNulls,
    OrderTerm,
    Quantifier,
    QuantOp,
    QuantOperator,
    Range,
    SelectField,
    SelectRelation,
    SimpleOp,
    SimpleOperator,
)


def _filter(query: str) -> OpExpr:
    ((path, flt),) = parse_query(query).filters
    assert path == ()
    return flt.expr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("eq.1", OpExpr(QuantOp(QuantOperator.EQ, "1"))),
        ("gte.2", OpExpr(QuantOp(QuantOperator.GTE, "2"))),
        ("not.like.*a*", OpExpr(QuantOp(QuantOperator.LIKE, "*a*"), negated=True)),
        ("eq(any).{1,2}", OpExpr(QuantOp(QuantOperator.EQ, "{1,2}", Quantifier.ANY))),
        ("like(all).{a*,*b}", OpExpr(QuantOp(QuantOperator.LIKE, "{a*,*b}", Quantifier.ALL))),
        ("neq.x.y", OpExpr(SimpleOp(SimpleOperator.NEQ, "x.y"))),
        ("cs.{a,b}", OpExpr(SimpleOp(SimpleOperator.CS, "{a,b}"))),
        ("adj.(1,2)", OpExpr(SimpleOp(SimpleOperator.ADJ, "(1,2)"))),
        ('in.(1,"a,b","q\\"x")', OpExpr(InOp(("1", "a,b", 'q"x')))),
        ("in.()", OpExpr(InOp(("",)))),
        ("is.NULL", OpExpr(IsOp(IsValue.NULL))),
        ("not.is.not_null", OpExpr(IsOp(IsValue.NOT_NULL), negated=True)),
        ("fts(english).cat & dog", OpExpr(FtsOp(FtsOperator.FTS, "cat & dog", "english"))),
        ("wfts.a b", OpExpr(FtsOp(FtsOperator.WFTS, "a b"))),
    ],
)
def test_filter_values(value: str, expected: OpExpr) -> None:
    from urllib.parse import quote

    assert _filter(f"c={quote(value)}") == expected


def test_filter_key_carries_embed_path_and_json_path() -> None:
    ((path, flt),) = parse_query("rel.data->a->>0=eq.1").filters
    assert path == ("rel",)
    assert flt.field == FieldRef(
        "data",
        (
            JsonOperation(JsonArrow.ARROW, "a"),
            JsonOperation(JsonArrow.DOUBLE_ARROW, "+0", is_index=True),
        ),
    )


def test_select_tree() -> None:
    items = parse_select("id,alias:col::text,c:clients!hint!inner(*),...rel(x)")
    assert items == (
        SelectField(FieldRef("id")),
        SelectField(FieldRef("col"), alias="alias", cast="text"),
        SelectRelation("clients", (SelectField(FieldRef("*")),), "c", "hint", JoinType.INNER),
        SelectRelation("rel", (SelectField(FieldRef("x")),), spread=True),
    )


def test_select_spaces_and_quoted_names() -> None:
    assert parse_select(' "my col" , b ') == (
        SelectField(FieldRef("my col")),
        SelectField(FieldRef("b")),
    )


def test_order_terms() -> None:
    ((path, terms),) = parse_query("order=a.desc.nullslast,rel(b).asc,c").order
    assert path == ()
    assert terms == (
        OrderTerm(FieldRef("a"), OrderDirection.DESC, OrderNulls.LAST),
        OrderTerm(FieldRef("b"), OrderDirection.ASC, None, "rel"),
        OrderTerm(FieldRef("c")),
    )


def test_logic_tree_nesting_and_negation() -> None:
    ((path, tree),) = parse_query("rel.not.or=(a.eq.1,and(b.gt.2,c.in.(1,2)))").logic
    assert path == ("rel",)
    assert tree == LogicExpr(
        "or",
        (
            Filter(FieldRef("a"), OpExpr(QuantOp(QuantOperator.EQ, "1"))),
            LogicExpr(
                "and",
                (
                    Filter(FieldRef("b"), OpExpr(QuantOp(QuantOperator.GT, "2"))),
                    Filter(FieldRef("c"), OpExpr(InOp(("1", "2")))),
                ),
            ),
        ),
        negated=True,
    )


def test_ranges_for_root_and_embeds() -> None:
    ranges = parse_query("limit=5&offset=10&rel.limit=1").ranges
    assert ranges == {(): Range(10, 5), ("rel",): Range(0, 1)}


def test_rpc_read_keeps_plain_values_as_arguments() -> None:
    query = parse_query("a=1&b=eq.2", rpc_read=True)
    assert query.rpc_params == (("a", "1"),)
    assert [f.field.name for _, f in query.filters] == ["b"]


def test_columns_and_on_conflict() -> None:
    query = parse_query('columns="a","b c"&on_conflict=x,y')
    assert query.columns == ("a", "b c")
    assert query.on_conflict == ("x", "y")


@pytest.mark.parametrize(
    ("query", "message", "details"),
    [
        (
            "id=0",
            '"failed to parse filter (0)" (line 1, column 1)',
            'unexpected "0" expecting "not" or operator (eq, gt, ...)',
        ),
        (
            "id=noop.0",
            '"failed to parse filter (noop.0)" (line 1, column 1)',
            'unexpected "o" expecting "not" or operator (eq, gt, ...)',
        ),
        (
            "id=is.maybe",
            '"failed to parse filter (is.maybe)" (line 1, column 4)',
            'unexpected "m" expecting isVal: (null, not_null, true, false, unknown)',
        ),
        (
            "order=id.asc.nullslasttt",
            '"failed to parse order (id.asc.nullslasttt)" (line 1, column 17)',
            "unexpected 't' expecting \",\" or end of input",
        ),
        (
            "or=()",
            '"failed to parse logic tree (())" (line 1, column 4)',
            'unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not)'
            " or logic operator (and, or)",
        ),
        (
            "columns=",
            '"failed to parse columns parameter ()" (line 1, column 1)',
            "unexpected end of input expecting field name (* or [a..z0..9_$])",
        ),
        (
            "select=data->>--34",
            '"failed to parse select parameter (data->>--34)" (line 1, column 9)',
            'unexpected "-" expecting digit',
        ),
    ],
)
def test_bad_input_is_pgrst100(query: str, message: str, details: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_query(query)
    assert raised.value.status == 400
    assert raised.value.code == "PGRST100"
    assert raised.value.message == message
    assert raised.value.details == details
