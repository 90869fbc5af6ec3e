"""The SQLSTATE -> HTTP status table (PostgREST's mapSQLtoHTTP) and the Prefer parser."""

from __future__ import annotations

import pytest

from aimodels.gateway.rest.errors import sqlstate_status
from aimodels.gateway.rest.preferences import (
    Count,
    Missing,
    Representation,
    Resolution,
    parse_preferences,
)


@pytest.mark.parametrize(
    ("sqlstate", "message", "authenticated", "status"),
    [
        ("23505", "", True, 409),
        ("23503", "", True, 409),
        ("25006", "", True, 405),
        ("42P01", "", True, 404),
        ("42883", "", True, 404),
        ("42501", "", False, 401),
        ("42501", "", True, 403),
        ("P0001", "", True, 400),
        ("PT418", "", True, 418),
        ("AM001", "", True, 400),
        ("23502", "", True, 400),
        ("08006", "", True, 503),
        ("53300", "", True, 503),
        ("53400", "", True, 500),
        ("21000", "DELETE requires a WHERE clause", True, 400),
        ("21000", "more than one row", True, 500),
        ("22023", 'role "x" does not exist', True, 401),
        ("22023", "other", True, 400),
        ("P0002", "", True, 500),
        ("XX000", "", True, 500),
        ("28000", "", True, 403),
    ],
)
def test_sqlstate_status(sqlstate: str, message: str, authenticated: bool, status: int) -> None:
    assert sqlstate_status(sqlstate, message, authenticated) == status


def test_preferences_first_value_of_each_kind_wins() -> None:
    prefs = parse_preferences(
        ["return=minimal, count=exact", "return=representation,resolution=merge-duplicates"]
    )
    assert prefs.representation is Representation.MINIMAL
    assert prefs.count is Count.EXACT
    assert prefs.resolution is Resolution.MERGE_DUPLICATES
    assert prefs.invalid == ()


def test_preferences_collect_unknown_values() -> None:
    prefs = parse_preferences(["missing=default,foo=bar"])
    assert prefs.missing is Missing.DEFAULT
    assert prefs.invalid == ("foo=bar",)


def test_preference_applied_order() -> None:
    prefs = parse_preferences(["count=exact,return=representation,resolution=ignore-duplicates"])
    assert prefs.applied_header() == (
        "resolution=ignore-duplicates, return=representation, count=exact"
    )
