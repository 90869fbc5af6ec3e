"""Typed client over the Supabase API (supabase-py): sign in, then use your role's service.

client = AIModelsClient.from_env()          # SUPABASE_URL, SUPABASE_ANON_KEY (.env)
client.sign_in("user1@acme-law.example.test", "aimodels-dev-password")
models = client.user().usable_models()
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
from aimodels.client.session import AIModelsClient
from aimodels.client.settings import ClientSettings
from aimodels.client.user import UserService

__all__ = [
    "ERROR_CODES",
    "AIModelsClient",
    "ApiUnavailable",
    "AppError",
    "AppendOnly",
    "AuthError",
    "CatalogService",
    "ClientSettings",
    "Conflict",
    "InvalidInput",
    "ModelNotAvailable",
    "ModelNotEnabled",
    "NotFound",
    "OrgAdminService",
    "OrgQuotaExceeded",
    "PermissionDenied",
    "ProtectedField",
    "QuotaExceeded",
    "TrialExpired",
    "UserQuotaExceeded",
    "UserService",
]
