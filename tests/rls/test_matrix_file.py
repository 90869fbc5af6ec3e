"""matrix.toml itself: it parses, names every cell of the contract, and reads as sentences."""

from __future__ import annotations

import pytest

from aimodels.rls.cases import CRUD, Case, Expectation, Matrix, load_matrix

TABLES = (
    "organizations",
    "profiles",
    "ai_models_system",
    "org_system_model_config",
    "ai_model_usage",
    "invitations",
    "usage_reservations",
)
ACCOUNTS = ("anon", "user1", "user2", "admin", "other_admin", "superadmin")


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return load_matrix()


def test_every_actor_has_a_case_for_every_table_and_crud_operation(matrix: Matrix) -> None:
    covered = {(case.actor.name, case.table, case.operation) for case in matrix.cases}
    missing = [
        f"{actor} x {table} x {operation}"
        for actor in ACCOUNTS
        for table in TABLES
        for operation in CRUD
        if (actor, table, operation) not in covered
    ]
    assert missing == [], f"cells of the contract without a case: {missing}"


@pytest.mark.parametrize(
    "rpc",
    [
        "record_usage",
        "usable_models",
        "quota_status",
        "usage_report",
        "invite_member",
        "accept_invitation",
        "revoke_invitation",
        "remove_member",
        "reserve_usage",
        "settle_usage",
        "release_usage",
        "visible_model_id",
        "own_usage_rows",
        "org_usage_rows",
    ],
)
def test_every_actor_calls_each_api_function(matrix: Matrix, rpc: str) -> None:
    callers = {case.actor.name for case in matrix.cases if case.operation == f"rpc:{rpc}"}
    assert set(ACCOUNTS) <= callers, f"{rpc} not called by {sorted(set(ACCOUNTS) - callers)}"


def test_superadmin_key_functions_are_tried_by_every_non_superadmin(matrix: Matrix) -> None:
    for rpc in ("rpc:get_model_api_key", "rpc:set_model_api_key"):
        denied = {
            case.actor.name
            for case in matrix.cases
            if case.operation == rpc and not case.expect.allows
        }
        assert {"anon", "user1", "admin", "other_admin"} <= denied, rpc


def test_usage_is_never_rewritten_by_any_actor(matrix: Matrix) -> None:
    for operation in ("update", "delete"):
        cases = [
            c for c in matrix.cases if c.table == "ai_model_usage" and c.operation == operation
        ]
        assert {c.actor.name for c in cases} == set(matrix.actors), operation
        assert not any(c.expect.allows for c in cases), f"a usage {operation} is expected to work"


def test_case_ids_are_unique_and_name_table_operation_and_actor(matrix: Matrix) -> None:
    ids = [case.id for case in matrix.cases]
    assert len(ids) == len(set(ids))
    case: Case = matrix.cases[0]
    assert case.id.startswith(f"{case.table}.{case.operation}.")
    assert case.id.endswith(f".{case.actor.name}")


def test_a_denied_case_reads_as_cannot_and_an_allowed_one_as_can(matrix: Matrix) -> None:
    sentences = {case.id: case.sentence() for case in matrix.cases}
    denied = next(c for c in matrix.cases if c.expect.code == "AM008" and c.actor.name == "admin")
    allowed = next(c for c in matrix.cases if c.expect.allows and c.actor.name == "admin")
    assert sentences[denied.id].startswith("admin@bright-visas cannot ")
    assert sentences[allowed.id].startswith("admin@bright-visas can ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("200 [acme-law]", Expectation(status=200, keys=("acme-law",))),
        ("200 []", Expectation(status=200, keys=())),
        ("200 #16", Expectation(status=200, count=16)),
        ("403 42501", Expectation(status=403, code="42501")),
        ("400 AM008", Expectation(status=400, code="AM008")),
        ("404 PGRST205", Expectation(status=404, code="PGRST205")),
        ("201 [b, a]", Expectation(status=201, keys=("a", "b"))),
    ],
)
def test_expectations_parse_from_their_short_form(text: str, expected: Expectation) -> None:
    assert Expectation.parse(text) == expected


@pytest.mark.parametrize("text", ["ok", "200 rows", "2000", "403 4250", "200 [a] #2"])
def test_a_malformed_expectation_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="bad expectation"):
        Expectation.parse(text)


def test_zero_rows_is_a_denial_and_rows_are_an_allowance() -> None:
    assert not Expectation.parse("200 []").allows
    assert not Expectation.parse("403 42501").allows
    assert Expectation.parse("200 [x]").allows
    assert Expectation.parse("201 #1").allows
