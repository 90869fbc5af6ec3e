"""CatalogService: what a superadmin does to the model catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import SecretStr

from aimodels.client.errors import Conflict, InvalidInput, api_errors
from aimodels.client.organizations import OrganizationService
from aimodels.client.refs import ModelRef, OrgRef, as_uuid, find_by_ref
from aimodels.client.rows import fetch_all, fetch_first, update_one
from aimodels.domain import (
    ModelDraft,
    ModelPatch,
    Organization,
    OrgType,
    PricingPlan,
    SystemModel,
    SystemModelWithKey,
)

if TYPE_CHECKING:
    from aimodels.client.session import AIModelsClient

MODELS = "ai_models_system"


class CatalogService:
    """Superadmin only: create, change, feature, order and retire models; set their keys.

    Every method that takes a model takes its id or its name. Organizations have their own
    service (`client.organizations()`); the organization methods here stay for older code.
    """

    def __init__(self, client: AIModelsClient) -> None:
        self._api = client.api
        self._orgs = OrganizationService(client)

    # -- models ----------------------------------------------------------------------------

    def list_models(self, *, include_inactive: bool = True) -> list[SystemModel]:
        """The whole catalog (the caller's view of it), by sort order then name."""
        request = self._api.table(MODELS).select("*").order("sort_order").order("name")
        if not include_inactive:
            request = request.eq("is_active", True)
        return fetch_all(request, SystemModel)

    def find_model(self, ref: ModelRef) -> SystemModel:
        """The model with this id or name (any case). Raises NotFound."""
        return find_by_ref(self.list_models(), ref, kind="model")

    def get_model(self, ref: ModelRef) -> SystemModel:
        """The same as find_model (kept for older code)."""
        return self.find_model(ref)

    def create_model(self, draft: ModelDraft) -> SystemModel:
        """Add a model; returns it with its id. Raises InvalidInput (a bad field, or the name
        is taken), PermissionDenied (not a superadmin)."""
        request = self._api.table(MODELS).insert(draft.to_payload())
        try:
            return fetch_first(request, SystemModel, missing="the new model was not returned")
        except Conflict as clash:
            raise Conflict(
                f"a model named '{draft.name}' already exists", code=clash.code
            ) from clash

    def update_model(self, model: ModelRef, patch: ModelPatch) -> SystemModel:
        """Change the fields set in `patch`; returns the updated model. Raises InvalidInput
        (nothing to change, a bad field, a taken name), NotFound, PermissionDenied."""
        payload = patch.to_payload()
        if not payload:
            raise InvalidInput("nothing to change: give at least one field")
        try:
            return update_one(self._api, MODELS, self._model_id(model), payload, SystemModel)
        except Conflict as clash:
            raise Conflict(
                f"a model named '{patch.name}' already exists", code=clash.code
            ) from clash

    def deactivate_model(self, model: ModelRef) -> SystemModel:
        """Retire a model: it disappears for admins and users; usage history stays.
        Returns the updated model. Raises NotFound, PermissionDenied."""
        return self.update_model(model, ModelPatch(is_active=False))

    def feature_model(self, model: ModelRef, featured: bool = True) -> SystemModel:
        """Feature (or stop featuring) a model; returns it. Raises NotFound, PermissionDenied."""
        return self.update_model(model, ModelPatch(is_featured=featured))

    def order_models(self, models: list[ModelRef]) -> list[SystemModel]:
        """Give the models sort_order 10, 20, 30... in the order listed; returns them.
        Raises NotFound, PermissionDenied."""
        return [
            self.update_model(model, ModelPatch(sort_order=(index + 1) * 10))
            for index, model in enumerate(models)
        ]

    def set_api_key(self, model: ModelRef, api_key: SecretStr | str) -> None:
        """Store (or replace) a model's provider key; it is encrypted and never echoed.
        Returns nothing. Raises InvalidInput (empty key), NotFound, PermissionDenied."""
        secret = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        if not secret.get_secret_value().strip():
            raise InvalidInput("api_key: must not be empty")
        params = {"model_id": str(self._model_id(model)), "api_key": secret.get_secret_value()}
        with api_errors():
            self._api.rpc("set_model_api_key", params).execute()

    def rotate_api_key(self, model: ModelRef, new_key: SecretStr | str) -> None:
        """Replace the key; the old one stops being served at once. Raises as set_api_key."""
        self.set_api_key(model, new_key)

    def get_model_with_key(self, model: ModelRef) -> SystemModelWithKey:
        """The model and its decrypted key (a SecretStr: printing it shows '**********').
        Raises NotFound, PermissionDenied (only superadmins read keys)."""
        found = self.find_model(model)
        with api_errors():
            response = self._api.rpc("get_model_api_key", {"model_id": str(found.id)}).execute()
        key = response.data if isinstance(response.data, str) else None
        return SystemModelWithKey.model_validate({**found.model_dump(), "api_key": key})

    def _model_id(self, model: ModelRef) -> UUID:
        # An id goes to the database as is (it tells a missing row from a forbidden one).
        return as_uuid(model) or self.find_model(model).id

    # -- organizations (kept for older code: use client.organizations()) -------------------

    def list_organizations(self) -> list[Organization]:
        """See OrganizationService.list_organizations."""
        return self._orgs.list_organizations()

    def get_organization(self, ref: OrgRef) -> Organization:
        """See OrganizationService.get_organization."""
        return self._orgs.get_organization(ref)

    def set_plan(self, org: OrgRef, plan: PricingPlan | str) -> Organization:
        """See OrganizationService.set_plan."""
        return self._orgs.set_plan(org, plan)

    def set_org_type(self, org: OrgRef, org_type: OrgType | str) -> Organization:
        """See OrganizationService.set_org_type."""
        return self._orgs.set_org_type(org, org_type)

    def set_quota(self, org: OrgRef, monthly_tokens: int | None) -> Organization:
        """See OrganizationService.set_quota."""
        return self._orgs.set_quota(org, monthly_tokens)
