"""The usage log stays true through the API: a retried insert with a client-chosen id is never
refused and never charged twice, another user's id is a conflict, and amounts are bounded."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from aimodels.stack.state import StackInfo
from tests.integration.support import Rest

IMMIGRATION = "00000000-0000-0000-0003-000000000002"  # bright-visas: 20000/user weekly
WRITING = "00000000-0000-0000-0003-000000000004"  # free: no limit, whatever was used before
BRIGHT_VISAS = "00000000-0000-0000-0001-000000000002"
USAGE = "ai_model_usage"
IGNORE_DUPLICATES = "return=representation,resolution=ignore-duplicates"

pytestmark = pytest.mark.stack


@pytest.fixture
def user1(db: StackInfo) -> Rest:
    return Rest.signed_in(db, "user1@bright-visas.example.test")


@pytest.fixture
def user2(db: StackInfo) -> Rest:
    return Rest.signed_in(db, "user2@bright-visas.example.test")


@pytest.fixture
def superadmin(db: StackInfo) -> Rest:
    return Rest.signed_in(db, "superadmin@example.test")


def _quota(caller: Rest) -> dict[str, Any]:
    response = caller.rpc("quota_status", {"model_id": IMMIGRATION})
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()
    return status


def _rows_with_id(caller: Rest, row_id: str) -> list[dict[str, Any]]:
    response = caller.get(f"{USAGE}?id=eq.{row_id}&select=id,user_id,tokens_used")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def _rows_of(caller: Rest) -> int:
    response = caller.get(f"{USAGE}?select=id")
    assert response.status_code == 200, response.text
    return len(response.json())


def test_a_retry_after_the_last_of_the_user_limit_succeeds_as_a_no_op(user1: Rest) -> None:
    remaining = _quota(user1)["tokens_remaining"]
    row = {"id": str(uuid.uuid4()), "model_id": IMMIGRATION, "tokens_used": remaining}

    first = user1.post(f"{USAGE}?on_conflict=id", row, prefer=IGNORE_DUPLICATES)
    assert first.status_code == 201, first.text
    assert [r["id"] for r in first.json()] == [row["id"]]
    spent = _quota(user1)
    assert spent["tokens_remaining"] == 0, "the first insert used the last of the user limit"

    retry = user1.post(f"{USAGE}?on_conflict=id", row, prefer=IGNORE_DUPLICATES)
    assert retry.status_code == 201, f"a retry is never refused: {retry.text}"
    assert retry.json() == [], "ignore-duplicates answers the retry with no new row"
    plain_retry = user1.post(USAGE, row)
    assert plain_retry.status_code == 201, f"a plain duplicate is a no-op too: {plain_retry.text}"
    assert plain_retry.json() == []

    assert _quota(user1) == spent, "the retries charged nothing: limit and org quota unchanged"
    assert len(_rows_with_id(user1, row["id"])) == 1, "the log holds the first row only"


def test_a_retry_after_the_last_of_the_org_quota_is_not_refused(
    user2: Rest, superadmin: Rest
) -> None:
    org_used = _quota(user2)["org_used"]
    tokens = 10
    response = superadmin.patch(
        f"organizations?id=eq.{BRIGHT_VISAS}", {"token_quota_monthly": org_used + tokens}
    )
    assert response.status_code == 200, response.text
    row = {"id": str(uuid.uuid4()), "model_id": IMMIGRATION, "tokens_used": tokens}

    assert user2.post(USAGE, row).status_code == 201
    assert _quota(user2)["org_remaining"] == 0, "the first insert used the last of the org quota"
    retry = user2.post(f"{USAGE}?on_conflict=id", row, prefer=IGNORE_DUPLICATES)
    assert retry.status_code == 201, f"a retry is never refused AM005: {retry.text}"
    assert _quota(user2)["org_used"] == org_used + tokens, "charged once"


def test_another_user_reusing_an_id_gets_a_conflict(user1: Rest, user2: Rest) -> None:
    # A free model: the earlier tests used up bright-visas' limits.
    row = {"id": str(uuid.uuid4()), "model_id": WRITING, "tokens_used": 3}
    assert user1.post(USAGE, row).status_code == 201
    before = _rows_of(user2)

    for path in (f"{USAGE}?on_conflict=id", USAGE):
        stolen = user2.post(path, row, prefer=IGNORE_DUPLICATES)
        assert stolen.status_code == 409, f"a conflict, not an empty success: {stolen.text}"
        assert stolen.json()["code"] == "23505"
        assert "usage_id_taken" in stolen.json()["message"]

    assert _rows_of(user2) == before, "nothing was recorded for the second user"
    assert [r["tokens_used"] for r in _rows_with_id(user1, row["id"])] == [3], "first row intact"


@pytest.mark.parametrize(
    ("tokens", "requests_count"),
    [(1, 10_001), (1, 2_147_483_647), (10_000_001, 1), (0, 1), (1, 0)],
)
def test_amounts_out_of_bounds_are_refused_am006(
    user1: Rest, tokens: int, requests_count: int
) -> None:
    before = _rows_of(user1)
    args = {"model_id": WRITING, "tokens_used": tokens, "requests_count": requests_count}
    response = user1.rpc("record_usage", args)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "AM006"
    assert "requests_count 1..10000" in response.json()["message"], "the bound is stated"
    assert _rows_of(user1) == before, "a refused amount appends nothing"


def test_the_largest_batch_of_requests_is_accepted(user1: Rest) -> None:
    args = {"model_id": WRITING, "tokens_used": 10_000_000, "requests_count": 10_000}
    response = user1.rpc("record_usage", args)
    assert response.status_code == 200, response.text
    assert response.json()["requests_count"] == 10_000
