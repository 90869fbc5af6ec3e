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
        """free 0 < starter 1 < pro 2 < enterprise 3 (DESIGN section 4)."""
        return _PLAN_RANKS[self]


_PLAN_RANKS: dict[PricingPlan, int] = {plan: rank for rank, plan in enumerate(PricingPlan)}


class Role(StrEnum):
    """A profile's role; it decides which service a signed-in client may use."""

    SUPERADMIN = "superadmin"
    ADMIN = "admin"
    USER = "user"


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
    """The business types a model can be targeted at (organizations.type)."""

    SOLICITOR = "solicitor"
    IMMIGRATION = "immigration"
    FINANCE = "finance"
    MARKETING = "marketing"
    SOFTWARE = "software"
    RETAIL = "retail"
    CONSULTING = "consulting"
    DOCTOR = "doctor"
    HEALTHCARE = "healthcare"
    BEAUTY = "beauty"
    REALESTATE = "realestate"
    EDUCATION = "education"
    ACCOUNTING = "accounting"
    INSURANCE = "insurance"
    CONSTRUCTION = "construction"
    HOSPITALITY = "hospitality"
    LOGISTICS = "logistics"
    MANUFACTURING = "manufacturing"
    NONPROFIT = "nonprofit"
    RECRUITMENT = "recruitment"
    TRAVEL = "travel"
    FITNESS = "fitness"
    OTHER = "other"
