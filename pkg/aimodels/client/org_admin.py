"""OrgAdminService: what an organization's admin does for their own organization."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from aimodels.client.errors import InvalidInput, ModelNotAvailable, NotFound
from aimodels.client.onboarding import OrgMembers
from aimodels.client.refs import ModelRef, find_by_ref
from aimodels.client.reports import usage_report
from aimodels.client.rows import fetch_all, fetch_first
from aimodels.client.usage_rows import UsageRows, read_usage
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
from aimodels.domain.onboarding import (
    Invitation,
    InvitedRole,
    IssuedInvitation,
    RemovedMember,
)

if TYPE_CHECKING:
    from aimodels.client.session import AIModelsClient

CONFIGS = "org_system_model_config"
# config.toml's [auth] site_url: where the invitation link's accept page lives.
DEFAULT_SITE_URL = "http://127.0.0.1:3000"
_MAX_INT = 2_147_483_647  # token_limit_per_user is an integer column


class OrgAdminService:
    """Admin of one org: see visible models, enable/disable them, tighten limits, read usage.

    Every method that takes a model takes its id or its name. Raises AppError subclasses
    only (the API's refusals mapped by code).
    """

    def __init__(self, client: AIModelsClient, site_url: str = DEFAULT_SITE_URL) -> None:
        self._api = client.api
        org_id = client.actor.organization_id
        if org_id is None:
            raise InvalidInput(f"{client.actor.email} belongs to no organization")
        self.org_id: UUID = org_id
        self._members = OrgMembers(client.api, site_url)

    # -- members and invitations -----------------------------------------------------------

    def invite_member(self, email: str, role: InvitedRole = InvitedRole.USER) -> IssuedInvitation:
        """Invite an address into the org (user or admin); it gets a sign-in link to accept.
        Returns the invitation with its one-time token. Raises InvalidInput (not an address,
        AM009), AlreadyMember (AM025), PermissionDenied (not the org's admin)."""
        return self._members.invite(email, role)

    def invitations(self, *, pending_only: bool = True) -> list[Invitation]:
        """The org's invitations, newest first (only those still pending by default). Raises
        PermissionDenied for a caller who is not the org's admin."""
        return self._members.invitations(pending_only=pending_only)

    def revoke_invitation(self, invitation_id: UUID) -> Invitation:
        """Revoke a pending invitation; returns it as revoked. Raises InvitationNotFound
        (AM021, also another org's), InvitationClosed (AM023, already accepted)."""
        return self._members.revoke(invitation_id)

    def remove_member(self, email: str) -> RemovedMember:
        """The member leaves the org (their usage rows stay). Returns who left. Raises
        MemberNotFound (AM027), CannotRemoveSelf (AM026)."""
        return self._members.remove(email)

    def organization(self) -> Organization:
        """The admin's own organization. Raises NotFound if it cannot be read."""
        request = self._api.table("organizations").select("*").eq("id", str(self.org_id))
        return fetch_first(request, Organization, missing="your organization is not readable")

    def visible_models(self) -> list[OrgModelView]:
        """The models the org's type and plan allow (the database decides), each with the
        org's setting for it, by sort order then name."""
        request = self._api.table("ai_models_system").select("*").eq("is_active", True)
        models = fetch_all(request.order("sort_order").order("name"), SystemModel)
        configs = {config.system_model_id: config for config in self.configs()}
        return [OrgModelView(model=model, config=configs.get(model.id)) for model in models]

    def find_model(self, ref: ModelRef) -> SystemModel:
        """A model the org may enable, by id or name (any case), like every role's
        find_model. Raises ModelNotAvailable (a NotFound) when the org cannot see it."""
        request = self._api.table("ai_models_system").select("*").eq("is_active", True)
        visible = fetch_all(request, SystemModel)
        try:
            return find_by_ref(visible, ref, kind="model", scope="your organization may enable")
        except NotFound as missing:
            raise ModelNotAvailable(missing.message, code="AM001") from missing

    def model_view(self, ref: ModelRef) -> OrgModelView:
        """A visible model with the org's setting for it. Raises ModelNotAvailable."""
        model = self.find_model(ref)
        configs = [config for config in self.configs() if config.system_model_id == model.id]
        return OrgModelView(model=model, config=configs[0] if configs else None)

    def configs(self) -> list[OrgModelConfig]:
        """The org's setting for every model it has configured."""
        request = self._api.table(CONFIGS).select("*").eq("organization_id", str(self.org_id))
        return fetch_all(request, OrgModelConfig)

    def enable_model(self, model: ModelRef) -> OrgModelConfig:
        """Let the org's users use the model (a trial starts the first time only); returns
        the org's setting. Raises ModelNotAvailable, PermissionDenied (not an admin)."""
        return self._upsert_config(model, {"is_enabled_for_users": True})

    def disable_model(self, model: ModelRef) -> OrgModelConfig:
        """Stop the org's users using the model; returns the org's setting.
        Raises ModelNotAvailable, PermissionDenied."""
        return self._upsert_config(model, {"is_enabled_for_users": False})

    def set_user_limit(self, model: ModelRef, tokens: int | None) -> OrgModelView:
        """Per-user token limit per period (None = the model's own); it can only tighten the
        model's limit. Returns the model with the org's settings as stored: `.effective_limit`
        is what each user gets (None = unlimited). Raises InvalidInput (not a whole number
        >= 0, or a limit that could never apply: on a free model, or looser than the model's
        own, AM006), ModelNotAvailable, PermissionDenied."""
        if tokens is not None and (isinstance(tokens, bool) or not 0 <= tokens <= _MAX_INT):
            raise InvalidInput(f"token_limit_per_user: must be a whole number from 0 to {_MAX_INT}")
        self._upsert_config(model, {"token_limit_per_user": tokens})
        return self.model_view(model)

    def clear_user_limit(self, model: ModelRef) -> OrgModelView:
        """Remove the org's per-user limit (the model's own applies). Raises as
        set_user_limit."""
        return self.set_user_limit(model, None)

    def _upsert_config(self, model: ModelRef, changes: dict[str, object]) -> OrgModelConfig:
        # Resolved among the visible models first: an invisible one is "no model", as the
        # CLI says, rather than the policy's refusal of the row.
        model_id = self.find_model(model).id
        # Upsert on the (org, model) key sends only `changes`, so other settings are kept.
        payload = {"organization_id": str(self.org_id), "system_model_id": str(model_id)}
        request = self._api.table(CONFIGS).upsert(
            {**payload, **changes}, on_conflict="organization_id,system_model_id"
        )
        return fetch_first(request, OrgModelConfig, missing=f"model {model_id} not configurable")

    def members(self) -> list[Profile]:
        """The org's members (profiles), by display name."""
        request = self._api.table("profiles").select("*").eq("organization_id", str(self.org_id))
        return fetch_all(request.order("display_name").order("id"), Profile)

    def usage(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[UsageRecord]:
        """Every usage row of the org in [since, until), oldest first."""

        return read_usage(self._api, UsageRows.ORGANIZATION, since, until)

    def usage_report(
        self, by: UsageGrouping, since: datetime | None = None, until: datetime | None = None
    ) -> list[UsageTotal]:
        """Org usage totals by model, user (display names), day, model and user, computed by
        the database over the rows you may read: your organization's."""
        return usage_report(self._api, by, since, until)
