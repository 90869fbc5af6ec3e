"""One client convention for every role: find_model returns the same kind of object, every
method takes a model id or name (or a model it returned), every refusal is an AppError
with a code, and a bad value changes nothing."""

from __future__ import annotations

import pytest

from aimodels.client import (
    AppError,
    InvalidInput,
    ModelCard,
    ModelDraft,
    ModelNotAvailable,
    PricingPlan,
)
from tests.integration.support import SignIn

IMMIGRATION = "Immigration Case Assistant"
USER = "user1@bright-visas.example.test"
ADMIN = "admin@bright-visas.example.test"
SUPERADMIN = "superadmin@example.test"

pytestmark = pytest.mark.stack


def test_every_roles_find_model_returns_a_model_card(sign_in: SignIn) -> None:
    found = [
        sign_in(SUPERADMIN).catalog().find_model(IMMIGRATION),
        sign_in(ADMIN).org_admin().find_model(IMMIGRATION.upper()),
        sign_in(USER).user().find_model(IMMIGRATION.lower()),
    ]
    assert all(isinstance(model, ModelCard) for model in found)
    assert {model.id for model in found} == {found[0].id}
    assert {model.name for model in found} == {IMMIGRATION}


def test_user_methods_take_a_name_an_id_or_a_model(sign_in: SignIn) -> None:
    user = sign_in(USER).user()
    model = user.find_model(IMMIGRATION)
    by_name = user.quota_status(IMMIGRATION)
    assert user.quota_status(model.id) == by_name == user.quota_status(str(model.id))
    receipt = user.record_usage(model, tokens_used=10)
    assert receipt.user_tokens_remaining == (by_name.tokens_remaining or 0) - 10


def test_admin_methods_take_names(sign_in: SignIn) -> None:
    admin = sign_in(ADMIN).org_admin()
    assert admin.enable_model("legal document drafter").is_enabled_for_users
    assert not admin.disable_model("Legal Document Drafter").is_enabled_for_users
    limited = admin.set_user_limit(IMMIGRATION, 20000)
    assert limited.model.name == IMMIGRATION
    assert limited.admin_limit == limited.effective_limit == 20000


def test_a_model_the_user_may_not_use_is_model_not_available(sign_in: SignIn) -> None:
    user = sign_in(USER).user()
    with pytest.raises(ModelNotAvailable) as refused:
        user.record_usage("Code Review Copilot", 5)
    assert refused.value.code == "AM001"


@pytest.mark.parametrize("tokens", [True, 1.0, "5"])
def test_record_usage_takes_only_whole_numbers(sign_in: SignIn, tokens: object) -> None:
    user = sign_in(USER).user()
    before = user.quota_status(IMMIGRATION).tokens_used
    with pytest.raises(InvalidInput, match="tokens_used"):
        user.record_usage(IMMIGRATION, tokens_used=tokens)  # type: ignore[arg-type]
    assert user.quota_status(IMMIGRATION).tokens_used == before, "nothing was recorded"


def test_an_unknown_plan_is_invalid_input_and_changes_nothing(sign_in: SignIn) -> None:
    organizations = sign_in(SUPERADMIN).organizations()
    before = organizations.get_organization("acme-law").pricing_plan
    with pytest.raises(InvalidInput, match="platinum"):
        organizations.set_plan("acme-law", "platinum")
    assert organizations.get_organization("acme-law").pricing_plan is before
    assert organizations.set_plan("acme-law", PricingPlan.FREE).pricing_plan is PricingPlan.FREE


@pytest.mark.parametrize("quota", [-5, 2**63, True])
def test_a_quota_out_of_range_is_invalid_input(sign_in: SignIn, quota: int) -> None:
    with pytest.raises(InvalidInput, match="token_quota_monthly"):
        sign_in(SUPERADMIN).organizations().set_quota("acme-law", quota)


def test_a_taken_model_name_says_so_without_postgres_words(sign_in: SignIn) -> None:
    catalog = sign_in(SUPERADMIN).catalog()
    with pytest.raises(InvalidInput) as refused:
        catalog.create_model(ModelDraft(name=IMMIGRATION))
    assert "already exists" in refused.value.message
    assert "constraint" not in refused.value.message and refused.value.code == "23505"


def test_the_old_catalog_accessors_for_organizations_still_work(sign_in: SignIn) -> None:
    catalog = sign_in(SUPERADMIN).catalog()
    assert catalog.get_organization("bright-visas").slug == "bright-visas"


def test_every_error_is_an_app_error_with_the_api_code(sign_in: SignIn) -> None:
    user = sign_in(USER).user()
    with pytest.raises(AppError) as refused:
        user.record_usage(IMMIGRATION, 999_999)
    assert refused.value.code == "AM004"
