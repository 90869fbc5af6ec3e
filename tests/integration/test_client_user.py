"""UserService through the API: list usable models, quota, record usage, own history; every
refusal of record_usage arrives as its own typed error."""

from __future__ import annotations

from uuid import UUID

import pytest

from aimodels.client import (
    InvalidInput,
    ModelNotAvailable,
    ModelNotEnabled,
    OrgQuotaExceeded,
    PermissionDenied,
    UserQuotaExceeded,
    UserService,
    usage_rows,
)
from aimodels.client.errors import api_errors
from aimodels.domain import LimitPeriod
from tests.integration.support import SignIn

PASSWORD = "aimodels-dev-password"
LEGAL_DRAFTER = UUID("00000000-0000-0000-0003-000000000001")  # disabled for bright-visas
IMMIGRATION = UUID("00000000-0000-0000-0003-000000000002")  # enabled, 20000/user weekly
WRITING = UUID("00000000-0000-0000-0003-000000000004")  # free, featured, every org
CODE_REVIEW = UUID("00000000-0000-0000-0003-000000000005")  # software + enterprise only

pytestmark = pytest.mark.stack


@pytest.fixture
def user(sign_in: SignIn) -> UserService:
    return sign_in("user1@bright-visas.example.test").user()


def test_sign_in_reads_role_and_org_from_the_profile(sign_in: SignIn) -> None:
    actor = sign_in("admin@bright-visas.example.test").actor
    assert (str(actor.role), str(actor.organization_id)) == (
        "admin",
        "00000000-0000-0000-0001-000000000002",
    )


def test_usable_models_are_enabled_ones_featured_first(user: UserService) -> None:
    models = user.usable_models()
    assert [m.id for m in models] == [WRITING, IMMIGRATION], "featured, then by sort_order"
    assert models[1].effective_token_limit == 20000


def test_recording_usage_moves_the_quota(user: UserService) -> None:
    before = user.quota_status(IMMIGRATION)
    receipt = user.record_usage(IMMIGRATION, 120, requests_count=2)
    after = user.quota_status(IMMIGRATION)
    assert (receipt.tokens_used, receipt.requests_count) == (120, 2)
    assert after.tokens_used == before.tokens_used + 120
    assert before.tokens_remaining is not None and after.tokens_remaining is not None
    assert after.tokens_remaining == before.tokens_remaining - 120
    assert receipt.user_tokens_remaining == after.tokens_remaining
    assert after.limit_period is LimitPeriod.WEEKLY and after.token_limit == 20000


def test_free_model_has_no_limit_and_skips_the_org_quota(user: UserService) -> None:
    receipt = user.record_usage(WRITING, 10)
    assert receipt.user_tokens_remaining is None and receipt.org_tokens_remaining is None


def test_disabled_model_is_not_enabled(user: UserService) -> None:
    with pytest.raises(ModelNotEnabled) as caught:
        user.record_usage(LEGAL_DRAFTER, 10)
    assert caught.value.code == "AM002"


def test_model_of_another_type_and_plan_is_not_available(user: UserService) -> None:
    with pytest.raises(ModelNotAvailable):
        user.record_usage(CODE_REVIEW, 10)
    with pytest.raises(ModelNotAvailable):
        user.quota_status(CODE_REVIEW)


def test_going_over_the_user_limit_is_refused_whole(user: UserService) -> None:
    left = user.quota_status(IMMIGRATION).tokens_remaining
    assert left is not None
    with pytest.raises(UserQuotaExceeded):
        user.record_usage(IMMIGRATION, left + 1)
    assert user.quota_status(IMMIGRATION).tokens_remaining == left, "nothing was recorded"


def test_going_over_the_org_quota_is_refused(sign_in: SignIn, user: UserService) -> None:
    catalog = sign_in("superadmin@example.test").catalog()
    org = catalog.get_organization("bright-visas")
    catalog.set_quota(org.id, org.token_usage_current + 5)
    try:
        with pytest.raises(OrgQuotaExceeded):
            user.record_usage(IMMIGRATION, 6)
    finally:
        catalog.set_quota(org.id, org.token_quota_monthly)


def test_non_positive_amounts_are_invalid_on_both_sides(sign_in: SignIn, user: UserService) -> None:
    with pytest.raises(InvalidInput, match="tokens_used: must be > 0"):
        user.record_usage(IMMIGRATION, -5)
    # the database says the same to a client that skips the check (AM006)
    api = sign_in("user1@bright-visas.example.test").api
    params = {"model_id": str(IMMIGRATION), "tokens_used": 0, "requests_count": 1}
    with pytest.raises(InvalidInput) as caught, api_errors():
        api.rpc("record_usage", params).execute()
    assert caught.value.code == "AM006"


def test_history_holds_only_your_own_rows(sign_in: SignIn, user: UserService) -> None:
    user.record_usage(IMMIGRATION, 7)
    other = sign_in("user2@bright-visas.example.test").user()
    mine = user.usage_history()
    assert mine and {row.user_id for row in mine} == {user.user_id}
    assert user.user_id not in {row.user_id for row in other.usage_history()}


def test_history_read_a_page_at_a_time_is_every_row_once_in_order(
    user: UserService, monkeypatch: pytest.MonkeyPatch
) -> None:
    for tokens in (1, 2, 3, 4, 5):
        user.record_usage(IMMIGRATION, tokens)
    whole = user.usage_history()
    monkeypatch.setattr(usage_rows, "PAGE_ROWS", 2)
    paged = user.usage_history()
    assert len(whole) >= 5 and paged == whole
    keys = [(row.created_at, row.id) for row in paged]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


@pytest.mark.parametrize("email", ["admin@bright-visas.example.test", "superadmin@example.test"])
def test_only_users_get_the_user_service(sign_in: SignIn, email: str) -> None:
    with pytest.raises(PermissionDenied, match="needs the user role"):
        sign_in(email).user()


def test_admin_cannot_record_usage(sign_in: SignIn) -> None:
    """The database refuses it too, for a client that skips the role check."""
    admin_as_user = UserService(sign_in("admin@bright-visas.example.test"))
    with pytest.raises(PermissionDenied):
        admin_as_user.record_usage(IMMIGRATION, 10)
    assert admin_as_user.usage_history() == []


def test_refresh_keeps_the_session_usable(sign_in: SignIn) -> None:
    client = sign_in("user2@bright-visas.example.test")
    client.refresh()
    assert client.user().usable_models()
