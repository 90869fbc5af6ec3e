"""OrganizationService: what a superadmin does to organizations (plan, type, quota)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aimodels.client.errors import InvalidInput
from aimodels.client.refs import OrgRef, find_by_ref
from aimodels.client.rows import fetch_all, update_one
from aimodels.domain import Organization, OrgType, PricingPlan

if TYPE_CHECKING:
    from aimodels.client.session import AIModelsClient

ORGS = "organizations"
# token_quota_monthly is a bigint.
_MAX_QUOTA = 9_223_372_036_854_775_807


class OrganizationService:
    """Superadmin: list organizations and change their plan, type or monthly quota.

    Other roles may build it too; the database then shows and changes only what their
    policies allow (an admin reads their own org and changes none of these fields).
    """

    def __init__(self, client: AIModelsClient) -> None:
        self._api = client.api

    def list_organizations(self) -> list[Organization]:
        """Every organization the caller may read, by name. Raises AppError on API failure."""
        return fetch_all(self._api.table(ORGS).select("*").order("name"), Organization)

    def get_organization(self, ref: OrgRef) -> Organization:
        """The organization with this id, name or slug. Raises NotFound."""
        return find_by_ref(self.list_organizations(), ref, kind="organization", also=("slug",))

    def set_plan(self, org: OrgRef, plan: PricingPlan | str) -> Organization:
        """Change the pricing plan; returns the updated organization.

        Raises InvalidInput for an unknown plan, NotFound, PermissionDenied (not a superadmin).
        """
        return self._update(org, {"pricing_plan": _plan(plan).value})

    def set_org_type(self, org: OrgRef, org_type: OrgType | str) -> Organization:
        """Change the business type; returns the updated organization.

        Raises InvalidInput for an unknown type, NotFound, PermissionDenied.
        """
        return self._update(org, {"type": _org_type(org_type).value})

    def set_quota(self, org: OrgRef, monthly_tokens: int | None) -> Organization:
        """The monthly token quota for non-free models (None = unlimited, 0 = none at all);
        returns the updated organization. Raises InvalidInput, NotFound, PermissionDenied."""
        if monthly_tokens is not None and (
            isinstance(monthly_tokens, bool) or not 0 <= monthly_tokens <= _MAX_QUOTA
        ):
            raise InvalidInput(
                f"token_quota_monthly: must be a whole number from 0 to {_MAX_QUOTA}"
            )
        return self._update(org, {"token_quota_monthly": monthly_tokens})

    def _update(self, org: OrgRef, payload: dict[str, object]) -> Organization:
        target = self.get_organization(org)
        return update_one(self._api, ORGS, target.id, payload, Organization)


def _plan(plan: PricingPlan | str) -> PricingPlan:
    try:
        return PricingPlan(plan)
    except ValueError as error:
        choices = ", ".join(PricingPlan)
        raise InvalidInput(f"plan '{plan}': must be one of {choices}") from error


def _org_type(org_type: OrgType | str) -> OrgType:
    try:
        return OrgType(org_type)
    except ValueError as error:
        raise InvalidInput(f"organization type '{org_type}' is not known") from error
