"""Pure domain: enums, pydantic models and rules. No I/O, imports nothing else of ours."""

from __future__ import annotations

from aimodels.domain.catalog import (
    ModelDraft,
    ModelPatch,
    SystemModel,
    SystemModelWithKey,
    UsableModel,
)
from aimodels.domain.enums import LimitPeriod, ModelType, OrgType, PricingPlan, Role
from aimodels.domain.orgs import Actor, Organization, OrgModelConfig, OrgModelView, Profile
from aimodels.domain.rules import (
    PeriodWindow,
    effective_limit,
    is_trial_expired,
    is_visible_to_org,
    period_window,
    plan_allows,
    plan_rank,
    remaining_tokens,
    trial_end,
    user_token_limit,
)
from aimodels.domain.usage import (
    QuotaStatus,
    RecordUsageResult,
    UsageGrouping,
    UsageInput,
    UsageRecord,
    UsageTotal,
)
from aimodels.domain.validation import explain

__all__ = [
    "Actor",
    "LimitPeriod",
    "ModelDraft",
    "ModelPatch",
    "ModelType",
    "OrgModelConfig",
    "OrgModelView",
    "OrgType",
    "Organization",
    "PeriodWindow",
    "PricingPlan",
    "Profile",
    "QuotaStatus",
    "RecordUsageResult",
    "Role",
    "SystemModel",
    "SystemModelWithKey",
    "UsableModel",
    "UsageGrouping",
    "UsageInput",
    "UsageRecord",
    "UsageTotal",
    "effective_limit",
    "explain",
    "is_trial_expired",
    "is_visible_to_org",
    "period_window",
    "plan_allows",
    "plan_rank",
    "remaining_tokens",
    "trial_end",
    "user_token_limit",
]
