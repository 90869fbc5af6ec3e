"""OrgAdminService: what an organization's admin does for their own organization."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from aimodels.client.errors import InvalidInput
from aimodels.client.refs import find_by_ref
from aimodels.client.reports import usage_report
from aimodels.client.rows import fetch_all, fetch_first
from aimodels.client.usage_rows import read_usage
from aimodels.domain import (
    Organization,
    OrgModelConfig,
    OrgModelView,
    Profile,
    SystemModel,
    UsageGrouping,
    UsageRecord,
    UsageTotal,
)

if TYPE_CHECKING:
    from aimodels.client.session import AIModelsClient

CONFIGS = "org_system_model_config"


class OrgAdminService:
    """Admin of one org: see visible models, enable/disable them, tighten limits, read usage."""

    def __init__(self, client: AIModelsClient) -> None:
        self._api = client.api
        org_id = client.actor.organization_id
        if org_id is None:
            raise InvalidInput(f"{client.actor.email} belongs to no organization")
        self.org_id: UUID = org_id

    def organization(self) -> Organization:
        request = self._api.table("organizations").select("*").eq("id", str(self.org_id))
        return fetch_first(request, Organization, missing="your organization is not readable")

    def visible_models(self) -> list[OrgModelView]:
        """The models the org's type and plan allow (the database decides), with settings."""
        request = self._api.table("ai_models_system").select("*").eq("is_active", True)
        models = fetch_all(request.order("sort_order").order("name"), SystemModel)
        configs = {config.system_model_id: config for config in self.configs()}
        return [OrgModelView(model=model, config=configs.get(model.id)) for model in models]

    def find_model(self, ref: str | UUID) -> OrgModelView:
        views = self.visible_models()
        model = find_by_ref([view.model for view in views], ref, kind="model")
        return next(view for view in views if view.model.id == model.id)

    def configs(self) -> list[OrgModelConfig]:
        request = self._api.table(CONFIGS).select("*").eq("organization_id", str(self.org_id))
        return fetch_all(request, OrgModelConfig)

    def enable_model(self, model_id: UUID) -> OrgModelConfig:
        """Let the org's users use the model (a trial starts the first time only)."""
        return self._upsert_config(model_id, {"is_enabled_for_users": True})

    def disable_model(self, model_id: UUID) -> OrgModelConfig:
        return self._upsert_config(model_id, {"is_enabled_for_users": False})

    def set_user_limit(self, model_id: UUID, tokens: int | None) -> OrgModelView:
        """Per-user token limit per period; it can only tighten the model's own limit.

        The database refuses (InvalidInput, AM006) a limit that could never apply: on a free
        model, or looser than the model's own. The answer is the model with its settings as
        stored: `.effective_limit` is what each user gets (None = unlimited).
        """
        if tokens is not None and tokens < 0:
            raise InvalidInput("token_limit_per_user: must be >= 0 (greater_than_equal)")
        self._upsert_config(model_id, {"token_limit_per_user": tokens})
        return self.find_model(model_id)

    def clear_user_limit(self, model_id: UUID) -> OrgModelView:
        return self.set_user_limit(model_id, None)

    def _upsert_config(self, model_id: UUID, changes: dict[str, object]) -> OrgModelConfig:
        # Upsert on the (org, model) key sends only `changes`, so other settings are kept.
        payload = {"organization_id": str(self.org_id), "system_model_id": str(model_id)}
        request = self._api.table(CONFIGS).upsert(
            {**payload, **changes}, on_conflict="organization_id,system_model_id"
        )
        return fetch_first(request, OrgModelConfig, missing=f"model {model_id} not configurable")

    def members(self) -> list[Profile]:
        request = self._api.table("profiles").select("*").eq("organization_id", str(self.org_id))
        return fetch_all(request.order("display_name").order("id"), Profile)

    def usage(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[UsageRecord]:
        """Every usage row of the org in [since, until), oldest first."""

        return read_usage(self._api, "organization_id", self.org_id, since, until)

    def usage_report(
        self, by: UsageGrouping, since: datetime | None = None, until: datetime | None = None
    ) -> list[UsageTotal]:
        """Org usage totals by model, user (display names), day, model and user, computed by
        the database over the rows you may read: your organization's."""
        return usage_report(self._api, by, since, until)
