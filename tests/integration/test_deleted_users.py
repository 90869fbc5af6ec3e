"""Deleting a user through the Auth admin API: it succeeds, and the usage log stays whole.

A user with usage keeps a tombstone profile (deleted_at set, display fields cleared,
organization and role kept) so every row stays attributable; a user without usage loses the
profile. Neither can sign in again.
"""

from __future__ import annotations

from typing import Any

import pytest

from aimodels.stack.state import StackInfo
from tests.integration.support import Rest, sign_in_status

WITH_USAGE = "user1@acme-law.example.test"
WITHOUT_USAGE = "user2@summit-finance.example.test"

pytestmark = pytest.mark.stack


def _profile(superadmin: Rest, user_id: str) -> list[dict[str, Any]]:
    response = superadmin.get(
        f"profiles?id=eq.{user_id}&select=organization_id,role,display_name,avatar_url,deleted_at"
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def _usage(superadmin: Rest, user_id: str) -> list[dict[str, Any]]:
    response = superadmin.get(f"ai_model_usage?user_id=eq.{user_id}&order=id")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_deleting_a_user_with_usage_leaves_a_tombstone_and_every_row(db: StackInfo) -> None:
    superadmin = Rest.signed_in(db, "superadmin@example.test")
    user = Rest.signed_in(db, WITH_USAGE)
    user_id = user.user_id()
    usage_before = _usage(superadmin, user_id)
    [profile_before] = _profile(superadmin, user_id)
    assert usage_before, "the seed gave this user usage"

    response = Rest.service_role(db).delete_user(user_id)

    assert response.status_code == 200, f"the deletion succeeds: {response.text}"
    assert _usage(superadmin, user_id) == usage_before, "no usage row lost or changed"
    [tombstone] = _profile(superadmin, user_id)
    assert tombstone["deleted_at"] is not None
    assert (tombstone["display_name"], tombstone["avatar_url"]) == (None, None)
    assert (tombstone["organization_id"], tombstone["role"]) == (
        profile_before["organization_id"],
        profile_before["role"],
    ), "rows stay attributable to the organization"
    assert sign_in_status(db, WITH_USAGE) == 400, "nobody signs in as a deleted user"


def test_deleting_a_user_without_usage_removes_the_profile(db: StackInfo) -> None:
    superadmin = Rest.signed_in(db, "superadmin@example.test")
    user_id = Rest.signed_in(db, WITHOUT_USAGE).user_id()
    assert _usage(superadmin, user_id) == []

    response = Rest.service_role(db).delete_user(user_id)

    assert response.status_code == 200, response.text
    assert _profile(superadmin, user_id) == []
    assert sign_in_status(db, WITHOUT_USAGE) == 400
