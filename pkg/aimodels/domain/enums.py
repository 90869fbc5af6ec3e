"""Closed sets of the product: plans, roles, limit periods, model and organization types."""

from __future__ import annotations

from enum import StrEnum


class PricingPlan(StrEnum):
    """An organization's plan; a model requires a minimum plan (ranked below)."""

    FREE = "free"
    STARTER = "starter"
    PRO = "pro"
    ENTERPRISE = "enterprise"

    @property
    def rank(self) -> int:
        """free 0 < starter 1 < pro 2 < enterprise 3 (docs/rules.md)."""
        return _PLAN_RANKS[self]


_PLAN_RANKS: dict[PricingPlan, int] = {plan: rank for rank, plan in enumerate(PricingPlan)}


class Role(StrEnum):
    """A profile's role; it decides which service a signed-in client may use."""

    SUPERADMIN = "superadmin"
    ADMIN = "admin"
    USER = "user"

    @property
    def api_role(self) -> str:
        """The Postgres role the account's tokens carry (private.api_role_for() in the
        migrations): admins and superadmins have roles of their own, members of
        `authenticated`."""
        return _API_ROLES[self]


_API_ROLES: dict[Role, str] = {
    Role.SUPERADMIN: "aimodels_superadmin",
    Role.ADMIN: "aimodels_admin",
    Role.USER: "authenticated",
}

# Every role a signed-in caller's token may carry, the plain one first.
SIGNED_IN_ROLES: tuple[str, ...] = (
    Role.USER.api_role,
    Role.ADMIN.api_role,
    Role.SUPERADMIN.api_role,
)


class LimitPeriod(StrEnum):
    """The window a per-user token limit counts over (UTC)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ModelType(StrEnum):
    """What a usage row was recorded against."""

    SYSTEM = "system"
    CUSTOM = "custom"


class OrgType(StrEnum):
    """Organization type slugs (private.organization_type_slugs() in the migrations)."""

    ACCOUNTING = "accounting"
    BEAUTY = "beauty"
    CONSTRUCTION = "construction"
    CONSULTING = "consulting"
    DENTIST = "dentist"
    DOCTOR = "doctor"
    EDUCATION = "education"
    FINANCE = "finance"
    FITNESS = "fitness"
    HEALTHCARE = "healthcare"
    HOSPITALITY = "hospitality"
    IMMIGRATION = "immigration"
    INSURANCE = "insurance"
    LOGISTICS = "logistics"
    MANUFACTURING = "manufacturing"
    MARKETING = "marketing"
    MEDIA = "media"
    NONPROFIT = "nonprofit"
    REALESTATE = "realestate"
    RECRUITMENT = "recruitment"
    RETAIL = "retail"
    SOFTWARE = "software"
    SOLICITOR = "solicitor"
    TRAVEL = "travel"
