"""CatalogService: what a superadmin does to the model catalog and to organizations."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import SecretStr

from aimodels.client.errors import InvalidInput, api_errors
from aimodels.client.refs import find_by_ref
from aimodels.client.rows import fetch_all, fetch_first, update_one
from aimodels.domain import (
    ModelDraft,
    ModelPatch,
    Organization,
    PricingPlan,
    SystemModel,
    SystemModelWithKey,
)

if TYPE_CHECKING:
    from aimodels.client.session import AIModelsClient

MODELS = "ai_models_system"
ORGS = "organizations"


class CatalogService:
    """Superadmin only: create, change, feature, order and retire models; govern orgs."""

    def __init__(self, client: AIModelsClient) -> None:
        self._api = client.api

    # -- models ----------------------------------------------------------------------------

    def list_models(self, *, include_inactive: bool = True) -> list[SystemModel]:
        request = self._api.table(MODELS).select("*").order("sort_order").order("name")
        if not include_inactive:
            request = request.eq("is_active", True)
        return fetch_all(request, SystemModel)

    def get_model(self, ref: str | UUID) -> SystemModel:
        """By id or name."""
        return find_by_ref(self.list_models(), ref, kind="model")

    def create_model(self, draft: ModelDraft) -> SystemModel:
        request = self._api.table(MODELS).insert(draft.to_payload())
        return fetch_first(request, SystemModel, missing="the new model was not returned")

    def update_model(self, model_id: UUID, patch: ModelPatch) -> SystemModel:
        payload = patch.to_payload()
        if not payload:
            raise InvalidInput("nothing to change: give at least one field")
        return update_one(self._api, MODELS, model_id, payload, SystemModel)

    def deactivate_model(self, model_id: UUID) -> SystemModel:
        """Retire a model: it disappears for admins and users; usage history stays."""
        return self.update_model(model_id, ModelPatch(is_active=False))

    def feature_model(self, model_id: UUID, featured: bool = True) -> SystemModel:
        return self.update_model(model_id, ModelPatch(is_featured=featured))

    def order_models(self, model_ids: list[UUID]) -> list[SystemModel]:
        """Give the models sort_order 10, 20, 30... in the order listed."""
        return [
            self.update_model(model_id, ModelPatch(sort_order=(index + 1) * 10))
            for index, model_id in enumerate(model_ids)
        ]

    def set_api_key(self, model_id: UUID, api_key: SecretStr | str) -> None:
        """Store (or replace) a model's provider key; it is encrypted and never echoed."""
        secret = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        if not secret.get_secret_value().strip():
            raise InvalidInput("api_key: must not be empty")
        params = {"model_id": str(model_id), "api_key": secret.get_secret_value()}
        with api_errors():
            self._api.rpc("set_model_api_key", params).execute()

    def rotate_api_key(self, model_id: UUID, new_key: SecretStr | str) -> None:
        """Replace the key; the old one stops being served at once."""
        self.set_api_key(model_id, new_key)

    def get_model_with_key(self, model_id: UUID) -> SystemModelWithKey:
        """The model and its decrypted key (a SecretStr: printing it shows '**********')."""
        model = self.get_model(model_id)
        with api_errors():
            response = self._api.rpc("get_model_api_key", {"model_id": str(model_id)}).execute()
        key = response.data if isinstance(response.data, str) else None
        return SystemModelWithKey.model_validate({**model.model_dump(), "api_key": key})

    # -- organizations ---------------------------------------------------------------------

    def list_organizations(self) -> list[Organization]:
        return fetch_all(self._api.table(ORGS).select("*").order("name"), Organization)

    def get_organization(self, ref: str | UUID) -> Organization:
        """By id, name or slug."""
        return find_by_ref(self.list_organizations(), ref, kind="organization", also=("slug",))

    def set_plan(self, org_id: UUID, plan: PricingPlan) -> Organization:
        return self._update_org(org_id, {"pricing_plan": PricingPlan(plan).value})

    def set_org_type(self, org_id: UUID, org_type: str) -> Organization:
        return self._update_org(org_id, {"type": org_type})

    def set_quota(self, org_id: UUID, monthly_tokens: int | None) -> Organization:
        """The org's monthly token quota for non-free models; None = unlimited."""
        if monthly_tokens is not None and monthly_tokens < 0:
            raise InvalidInput("token_quota_monthly: must be >= 0 (greater_than_equal)")
        return self._update_org(org_id, {"token_quota_monthly": monthly_tokens})

    def _update_org(self, org_id: UUID, payload: dict[str, object]) -> Organization:
        return update_one(self._api, ORGS, org_id, payload, Organization)
