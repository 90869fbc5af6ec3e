"""AIModelsClient: one signed-in connection to the API (supabase-py underneath).

It knows who it is signed in as (role and org from the caller's own profile, read through
the API) and hands out the service for that role. It never opens a database connection.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from supabase import Client, ClientOptions, create_client

from aimodels.client.catalog import CatalogService
from aimodels.client.errors import AuthError, PermissionDenied, api_errors
from aimodels.client.org_admin import OrgAdminService
from aimodels.client.organizations import OrganizationService
from aimodels.client.rows import fetch_first
from aimodels.client.settings import ClientSettings
from aimodels.client.user import UserService
from aimodels.domain import Actor, Profile, Role


class AIModelsClient:
    """Typed entry point. `sign_in` first, then `catalog()`, `org_admin()` or `user()`."""

    def __init__(self, settings: ClientSettings, *, auto_refresh: bool = False) -> None:
        self.settings = settings
        options = ClientOptions(auto_refresh_token=auto_refresh, persist_session=False)
        self.api: Client = create_client(settings.api_url, settings.anon_key, options)
        self._actor: Actor | None = None

    @classmethod
    def from_env(cls, env_file: str | Path | None = None) -> AIModelsClient:
        """A client for SUPABASE_URL / SUPABASE_ANON_KEY from the environment, else from
        `env_file` (default: the nearest `.env` here or in a parent folder).
        Raises InvalidInput when the file is named but missing, or a value is missing."""
        return cls(ClientSettings.from_env(env_file))

    @classmethod
    def connect(cls, url: str, anon_key: str) -> AIModelsClient:
        """A client for this API URL and anon key. Raises InvalidInput for a bad URL."""
        with api_errors():
            settings = ClientSettings.model_validate({"url": url, "anon_key": anon_key})
        return cls(settings)

    # -- session ---------------------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> Actor:
        """Password sign-in, then the caller's own profile for role and org; returns who you
        are. Raises AuthError (wrong email or password), ApiUnavailable (no API)."""
        with api_errors():
            response = self.api.auth.sign_in_with_password({"email": email, "password": password})
        if response.user is None:
            raise AuthError(f"sign-in as {email} returned no user")
        self._actor = self._read_actor(UUID(response.user.id), email)
        return self._actor

    def refresh(self) -> None:
        """Exchange the refresh token for a new access token (rotation, as GoTrue does).
        Returns nothing. Raises AuthError (no session, token used or expired)."""
        with api_errors():
            self.api.auth.refresh_session()

    def sign_out(self) -> None:
        """End the session on the server and forget who this client is. Raises AuthError."""
        with api_errors():
            self.api.auth.sign_out()
        self._actor = None

    @property
    def actor(self) -> Actor:
        """Who this client acts as; AuthError when not signed in."""
        if self._actor is None:
            raise AuthError("not signed in: call sign_in(email, password) first")
        return self._actor

    def _read_actor(self, user_id: UUID, email: str) -> Actor:
        request = self.api.table("profiles").select("*").eq("id", str(user_id))
        profile = fetch_first(request, Profile, missing=f"no profile for {email}")
        return Actor(
            user_id=user_id,
            email=email,
            role=profile.role,
            organization_id=profile.organization_id,
        )

    # -- services, one per role -------------------------------------------------------------

    def catalog(self) -> CatalogService:
        """The superadmin's catalog service. Raises PermissionDenied for anyone else,
        AuthError when not signed in."""
        self._require(Role.SUPERADMIN)
        return CatalogService(self)

    def organizations(self) -> OrganizationService:
        """The superadmin's service for organizations (PermissionDenied for anyone else)."""
        self._require(Role.SUPERADMIN)
        return OrganizationService(self)

    def org_admin(self) -> OrgAdminService:
        """The org admin's service for their own organization. Raises PermissionDenied for
        other roles, AuthError when not signed in."""
        self._require(Role.ADMIN)
        return OrgAdminService(self)

    def user(self) -> UserService:
        """Using models, for the org's users (admins govern, they do not record usage).
        Raises PermissionDenied for other roles, AuthError when not signed in."""
        self._require(Role.USER)
        return UserService(self)

    def _require(self, role: Role) -> None:
        if self.actor.role is not role:
            raise PermissionDenied(
                f"{self.actor.email} is {self.actor.role}, this needs the {role} role"
            )
