"""CatalogService through the API: superadmins may; admins and users are refused by the
database itself (the services are built directly here to bypass the client's role check)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from aimodels.client import (
    CatalogService,
    NotFound,
    PermissionDenied,
    ProtectedField,
)
from aimodels.domain import ModelDraft, ModelPatch, OrgType, PricingPlan, SystemModel
from tests.integration.support import SignIn

PASSWORD = "aimodels-dev-password"
SUPERADMIN = "superadmin@example.test"
ADMIN = "admin@bright-visas.example.test"
USER = "user1@bright-visas.example.test"

pytestmark = pytest.mark.stack


@pytest.fixture
def catalog(sign_in: SignIn) -> CatalogService:
    return sign_in(SUPERADMIN).catalog()


def _draft(**fields: object) -> ModelDraft:
    base: dict[str, object] = {
        "name": f"Test Model {uuid4().hex[:8]}",
        "organization_types": ["immigration"],
        "required_plan": "starter",
        "token_limit_amount": 1000,
    }
    return ModelDraft.model_validate({**base, **fields})


def test_superadmin_creates_a_model_that_the_catalog_lists(catalog: CatalogService) -> None:
    created = catalog.create_model(_draft(tags=["t"]))
    assert created.name in {m.name for m in catalog.list_models()}
    assert created.required_plan is PricingPlan.STARTER and created.tags == ["t"]
    assert not created.has_api_key, "a new model has no key until set-key"


def test_superadmin_updates_features_orders_and_deactivates(catalog: CatalogService) -> None:
    first, second = catalog.create_model(_draft()), catalog.create_model(_draft())
    updated = catalog.update_model(first.id, ModelPatch(token_limit_amount=500, description="d"))
    assert (updated.token_limit_amount, updated.description) == (500, "d")
    assert catalog.feature_model(first.id).is_featured
    ordered = catalog.order_models([second.id, first.id])
    assert [m.sort_order for m in ordered] == [10, 20]
    assert not catalog.deactivate_model(first.id).is_active
    assert not catalog.get_model(first.id).is_active


@pytest.mark.parametrize("email", [ADMIN, USER])
def test_only_superadmins_get_the_catalog_service(sign_in: SignIn, email: str) -> None:
    with pytest.raises(PermissionDenied, match="needs the superadmin role"):
        sign_in(email).catalog()


@pytest.mark.parametrize("email", [ADMIN, USER])
def test_others_cannot_create_models(sign_in: SignIn, catalog: CatalogService, email: str) -> None:
    draft = _draft()
    with pytest.raises(PermissionDenied):
        CatalogService(sign_in(email)).create_model(draft)
    assert draft.name not in {m.name for m in catalog.list_models()}


def test_admin_cannot_change_a_model_it_can_see(sign_in: SignIn, catalog: CatalogService) -> None:
    model = catalog.create_model(_draft())  # visible to bright-visas (immigration, starter)
    with pytest.raises(PermissionDenied):
        CatalogService(sign_in(ADMIN)).feature_model(model.id)
    assert not catalog.get_model(model.id).is_featured


def test_user_cannot_change_a_model_it_cannot_see(sign_in: SignIn, catalog: CatalogService) -> None:
    model = catalog.create_model(_draft())  # not enabled for the org, so not usable
    with pytest.raises(NotFound):
        CatalogService(sign_in(USER)).deactivate_model(model.id)
    assert catalog.get_model(model.id).is_active


def test_superadmin_sets_rotates_and_reads_an_api_key(catalog: CatalogService) -> None:
    model = catalog.create_model(_draft())
    catalog.set_api_key(model.id, "sk-test-first")
    assert catalog.get_model(model.id).has_api_key
    catalog.rotate_api_key(model.id, "sk-test-second")
    with_key = catalog.get_model_with_key(model.id)
    assert with_key.api_key is not None
    assert with_key.api_key.get_secret_value() == "sk-test-second"
    assert "sk-test-second" not in repr(with_key) + with_key.model_dump_json()


@pytest.mark.parametrize("email", [ADMIN, USER])
def test_others_can_neither_set_nor_read_an_api_key(
    sign_in: SignIn, catalog: CatalogService, email: str
) -> None:
    model = catalog.create_model(_draft())
    catalog.set_api_key(model.id, "sk-test-kept")
    other = CatalogService(sign_in(email))
    with pytest.raises(PermissionDenied):
        other.set_api_key(model.id, "sk-test-stolen")
    with pytest.raises((PermissionDenied, NotFound)):
        other.get_model_with_key(model.id)
    key = catalog.get_model_with_key(model.id).api_key
    assert key is not None and key.get_secret_value() == "sk-test-kept"


def test_superadmin_lists_every_organization(catalog: CatalogService) -> None:
    slugs = {org.slug for org in catalog.list_organizations()}
    assert {"acme-law", "bright-visas", "summit-finance", "nova-software", "pulse-health"} <= slugs


def test_admin_lists_only_its_own_organization(sign_in: SignIn) -> None:
    orgs = CatalogService(sign_in(ADMIN)).list_organizations()
    assert [org.slug for org in orgs] == ["bright-visas"]


def test_superadmin_changes_plan_type_and_quota(catalog: CatalogService) -> None:
    org = catalog.get_organization("pulse-health")
    assert catalog.set_plan(org.id, PricingPlan.ENTERPRISE).pricing_plan is PricingPlan.ENTERPRISE
    assert catalog.set_org_type(org.id, "doctor").type is OrgType.DOCTOR
    assert catalog.set_quota(org.id, 1234).token_quota_monthly == 1234
    assert catalog.set_quota(org.id, None).token_quota_monthly is None


def test_admin_cannot_change_its_own_plan_or_quota(
    sign_in: SignIn, catalog: CatalogService
) -> None:
    own = catalog.get_organization("bright-visas")
    admin_view = CatalogService(sign_in(ADMIN))
    with pytest.raises(ProtectedField):
        admin_view.set_plan(own.id, PricingPlan.ENTERPRISE)
    with pytest.raises(ProtectedField):
        admin_view.set_quota(own.id, None)
    after = catalog.get_organization("bright-visas")
    assert (after.pricing_plan, after.token_quota_monthly) == (
        own.pricing_plan,
        own.token_quota_monthly,
    )


def test_admin_cannot_touch_another_organization(sign_in: SignIn, catalog: CatalogService) -> None:
    other = catalog.get_organization("acme-law")
    with pytest.raises(NotFound):
        CatalogService(sign_in(ADMIN)).set_plan(other.id, PricingPlan.ENTERPRISE)
    assert catalog.get_organization("acme-law").pricing_plan is PricingPlan.FREE


def test_models_read_back_as_typed_rows(catalog: CatalogService) -> None:
    models = catalog.list_models()
    assert models and all(isinstance(m, SystemModel) for m in models)
    assert all(m.has_api_key for m in models if m.name == "General Writing Assistant")
