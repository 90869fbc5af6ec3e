"""Typed client over the Supabase API (supabase-py): sign in, then use your role's service.

client = AIModelsClient.from_env()          # SUPABASE_URL, SUPABASE_ANON_KEY (.env)
client.sign_in("user1@bright-visas.example.test", "aimodels-dev-password")
models = client.user().usable_models()

Everything an application needs is importable from here: the client, its services, its
errors (all AppError subclasses with the API's code) and the domain types they take and
return.
"""

from __future__ import annotations

from aimodels.client.catalog import CatalogService
from aimodels.client.errors import (
    ERROR_CODES,
    ApiUnavailable,
    AppendOnly,
    AppError,
    AuthError,
    Conflict,
    InvalidInput,
    ModelNotAvailable,
    ModelNotEnabled,
    NotFound,
    OrgQuotaExceeded,
    PermissionDenied,
    ProtectedField,
    QuotaExceeded,
    TrialExpired,
    UserQuotaExceeded,
)
from aimodels.client.org_admin import OrgAdminService
from aimodels.client.organizations import OrganizationService
from aimodels.client.refs import ModelRef, OrgRef
from aimodels.client.session import AIModelsClient
from aimodels.client.settings import ClientSettings
from aimodels.client.user import UserService
from aimodels.domain import (
    Actor,
    LimitPeriod,
    ModelCard,
    ModelDraft,
    ModelPatch,
    Organization,
    OrgModelConfig,
    OrgModelView,
    OrgType,
    PricingPlan,
    Profile,
    QuotaStatus,
    RecordUsageResult,
    Role,
    SystemModel,
    SystemModelWithKey,
    UsableModel,
    UsageGrouping,
    UsageRecord,
    UsageTotal,
)

__all__ = [
    "ERROR_CODES",
    "AIModelsClient",
    "Actor",
    "ApiUnavailable",
    "AppError",
    "AppendOnly",
    "AuthError",
    "CatalogService",
    "ClientSettings",
    "Conflict",
    "InvalidInput",
    "LimitPeriod",
    "ModelCard",
    "ModelDraft",
    "ModelNotAvailable",
    "ModelNotEnabled",
    "ModelPatch",
    "ModelRef",
    "NotFound",
    "OrgAdminService",
    "OrgModelConfig",
    "OrgModelView",
    "OrgQuotaExceeded",
    "OrgRef",
    "OrgType",
    "Organization",
    "OrganizationService",
    "PermissionDenied",
    "PricingPlan",
    "Profile",
    "ProtectedField",
    "QuotaExceeded",
    "QuotaStatus",
    "RecordUsageResult",
    "Role",
    "SystemModel",
    "SystemModelWithKey",
    "TrialExpired",
    "UsableModel",
    "UsageGrouping",
    "UsageRecord",
    "UsageTotal",
    "UserQuotaExceeded",
    "UserService",
]
