"""OrgAdminService through the API: an org admin may; a user of the org is refused or sees
only their own rows. What the admin sees must equal the pure targeting rule on the same data."""

from __future__ import annotations

from uuid import UUID

import pytest

from aimodels.client import ModelNotAvailable, OrgAdminService, PermissionDenied
from aimodels.domain import UsageGrouping, is_visible_to_org
from tests.integration.support import SignIn

PASSWORD = "aimodels-dev-password"
SLUGS = ("acme-law", "bright-visas", "summit-finance", "nova-software", "pulse-health")
LEGAL_DRAFTER = UUID("00000000-0000-0000-0003-000000000001")  # disabled for bright-visas
IMMIGRATION = UUID("00000000-0000-0000-0003-000000000002")  # enabled, 20000/user
CODE_REVIEW = UUID("00000000-0000-0000-0003-000000000005")  # software + enterprise only

pytestmark = pytest.mark.stack


@pytest.fixture
def admin(sign_in: SignIn) -> OrgAdminService:
    return sign_in("admin@bright-visas.example.test").org_admin()


@pytest.fixture
def user_as_admin(sign_in: SignIn) -> OrgAdminService:
    """A user of the same org holding the admin service: the database must refuse it."""
    return OrgAdminService(sign_in("user1@bright-visas.example.test"))


@pytest.mark.parametrize("slug", SLUGS)
def test_admin_sees_exactly_what_the_targeting_rule_allows(sign_in: SignIn, slug: str) -> None:
    catalog = sign_in("superadmin@example.test").catalog()
    org = catalog.get_organization(slug)
    expected = {m.id for m in catalog.list_models() if is_visible_to_org(m, org)}
    seen = {
        view.model.id for view in sign_in(f"admin@{slug}.example.test").org_admin().visible_models()
    }
    assert seen == expected


def test_visible_models_carry_the_org_settings(admin: OrgAdminService) -> None:
    views = {view.model.id: view for view in admin.visible_models()}
    assert views[IMMIGRATION].is_enabled and views[IMMIGRATION].admin_limit == 20000
    assert views[IMMIGRATION].effective_limit == 20000, "20000 tightens the model's 50000"
    assert not views[LEGAL_DRAFTER].is_enabled


@pytest.mark.parametrize("email", ["user1@bright-visas.example.test", "superadmin@example.test"])
def test_only_admins_get_the_org_admin_service(sign_in: SignIn, email: str) -> None:
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        sign_in(email).org_admin()


def test_admin_enables_and_disables_a_model(admin: OrgAdminService) -> None:
    assert admin.enable_model(LEGAL_DRAFTER).is_enabled_for_users
    assert admin.model_view(LEGAL_DRAFTER).is_enabled
    assert not admin.disable_model(LEGAL_DRAFTER).is_enabled_for_users
    assert not admin.model_view(LEGAL_DRAFTER).is_enabled


def test_admin_sets_and_clears_a_per_user_limit_keeping_enablement(
    admin: OrgAdminService,
) -> None:
    limited = admin.set_user_limit(IMMIGRATION, 7000)
    assert (limited.admin_limit, limited.effective_limit) == (7000, 7000)
    cleared = admin.clear_user_limit(IMMIGRATION)
    assert cleared.admin_limit is None and cleared.is_enabled
    assert cleared.effective_limit == 50000, "the model's own limit applies again"
    admin.set_user_limit(IMMIGRATION, 20000)


def test_admin_cannot_enable_a_model_the_org_may_not_see(admin: OrgAdminService) -> None:
    # As the CLI says it: no such model for this org (not the policy's row refusal).
    with pytest.raises(ModelNotAvailable, match="no model"):
        admin.enable_model(CODE_REVIEW)
    with pytest.raises(ModelNotAvailable):
        admin.enable_model("Code Review Copilot")
    assert all(config.system_model_id != CODE_REVIEW for config in admin.configs())


def test_user_cannot_enable_disable_or_limit(
    admin: OrgAdminService, user_as_admin: OrgAdminService
) -> None:
    before = {c.system_model_id: c for c in admin.configs()}
    for change in (
        # a model the user can see, so the refusal is the database's, not "no model"
        lambda: user_as_admin.enable_model(IMMIGRATION),
        lambda: user_as_admin.disable_model(IMMIGRATION),
        lambda: user_as_admin.set_user_limit(IMMIGRATION, 1),
    ):
        with pytest.raises(PermissionDenied):
            change()
    after = {c.system_model_id: c for c in admin.configs()}
    assert after == before


def test_admin_lists_the_org_members(admin: OrgAdminService) -> None:
    assert sorted(str(m.role) for m in admin.members()) == ["admin", "user", "user"]


def test_user_sees_only_themselves_as_members(sign_in: SignIn) -> None:
    client = sign_in("user1@bright-visas.example.test")
    assert [m.id for m in OrgAdminService(client).members()] == [client.actor.user_id]


def test_admin_reads_org_usage_by_user_and_model(admin: OrgAdminService) -> None:
    by_user = {t.key: t.tokens for t in admin.usage_report(UsageGrouping.USER)}
    assert by_user["User 1 (Bright Visas)"] >= 5000, "seeded usage"
    assert by_user["User 2 (Bright Visas)"] >= 2500, "seeded usage"
    by_model = {t.key for t in admin.usage_report(UsageGrouping.MODEL)}
    assert "Immigration Case Assistant" in by_model


def test_a_user_is_refused_the_organizations_rows_through_the_admin_service(
    user_as_admin: OrgAdminService,
) -> None:
    """The database refuses it (org_usage_rows), for a client that skips the role check."""
    with pytest.raises(PermissionDenied):
        user_as_admin.usage()


def test_admin_reads_every_row_of_the_organization_in_order(admin: OrgAdminService) -> None:
    rows = admin.usage()
    assert {row.organization_id for row in rows} == {admin.org_id}
    assert len(rows) >= 2, "seeded usage of two users"
    keys = [(row.created_at, row.id) for row in rows]
    assert keys == sorted(keys)
