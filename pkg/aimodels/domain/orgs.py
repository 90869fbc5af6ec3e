"""Organizations, their members and their per-model settings."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from aimodels.domain.catalog import SystemModel
from aimodels.domain.enums import OrgType, PricingPlan, Role
from aimodels.domain.rules import user_token_limit


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Organization(_Row):
    id: UUID
    name: str
    slug: str | None = None
    type: OrgType
    pricing_plan: PricingPlan = PricingPlan.FREE
    token_quota_monthly: int | None = None
    token_usage_current: int = 0
    token_reset_date: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Profile(_Row):
    id: UUID
    organization_id: UUID | None = None
    role: Role
    display_name: str | None = None
    avatar_url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class OrgModelConfig(_Row):
    """One org's setting for one catalog model (unique per org and model)."""

    id: UUID | None = None
    organization_id: UUID
    system_model_id: UUID
    is_enabled_for_users: bool = False
    token_limit_per_user: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class OrgModelView(_Row):
    """What an org admin sees per visible model: the model and the org's setting, if any."""

    model: SystemModel
    config: OrgModelConfig | None = None

    @property
    def is_enabled(self) -> bool:
        return self.config is not None and self.config.is_enabled_for_users

    @property
    def admin_limit(self) -> int | None:
        return None if self.config is None else self.config.token_limit_per_user

    @property
    def effective_limit(self) -> int | None:
        return user_token_limit(
            is_free=self.model.is_free,
            model_limit=self.model.token_limit_amount,
            admin_limit=self.admin_limit,
        )


class Actor(_Row):
    """Who the client is signed in as: the role and org come from the profile, not the JWT."""

    user_id: UUID
    email: str
    role: Role
    organization_id: UUID | None = None
