"""The gateway's settings: one frozen value built once (from CLI options) and passed down.

The gateway is product-agnostic, so nothing here names a table; the defaults are those of the
Supabase CLI's local stack (API on 54321, schemas public + graphql_public, max_rows 1000,
JWT expiry 3600 s). Keys and the JWT secret have no default here: the caller supplies them
(the CLI defaults them to the CLI's public local-development values).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from aimodels.gateway.auth.config import AuthFlowSettings

ONE_MIB = 1024 * 1024


class GatewaySettings(BaseModel):
    """Everything the gateway needs to run; immutable so no request can change it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # REST connects as the login role `authenticator` and switches role per request.
    db_url: SecretStr
    # Auth connects as `supabase_auth_admin`, owner of the auth tables (as GoTrue does).
    auth_db_url: SecretStr
    schemas: tuple[str, ...] = ("public", "graphql_public")
    # PostgREST's db-extra-search-path as the CLI sets it (api.extra_search_path).
    extra_search_path: tuple[str, ...] = ("public", "extensions")
    anon_role: str = "anon"
    jwt_secret: SecretStr
    jwt_expiry: int = Field(default=3600, gt=0)
    jwt_issuer: str = "http://127.0.0.1:54321/auth/v1"
    max_rows: int | None = Field(default=1000, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=54321, ge=0, le=65535)
    anon_key: SecretStr
    service_role_key: SecretStr
    publishable_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    refresh_token_reuse_interval: int = Field(default=10, ge=0)
    max_body_bytes: int = Field(default=ONE_MIB, gt=0)
    # The largest response body REST sends; a larger one stays in the database and the
    # request gets 500 code 54000 (PostgREST has no cap: it would hold the body in memory).
    max_response_bytes: int = Field(default=16 * ONE_MIB, gt=0)
    # nginx's client_body_timeout (Kong keeps its 60 s): the longest wait between two reads
    # of a request body before 408.
    body_read_timeout: float = Field(default=60.0, gt=0)
    rest_pool_min: int = Field(default=1, ge=0)
    rest_pool_max: int = Field(default=10, ge=1)
    auth_pool_min: int = Field(default=1, ge=0)
    auth_pool_max: int = Field(default=4, ge=1)
    # PostgREST's db-pool-acquisition-timeout (10 s): a request waits no longer for a
    # connection, then gets 504 PGRST003.
    pool_acquisition_timeout: float = Field(default=10.0, gt=0)
    # GoTrue's GOTRUE_MAILER_AUTOCONFIRM; the CLI's config.toml has email confirmations off.
    mailer_autoconfirm: bool = True
    # GoTrue's GOTRUE_PASSWORD_MIN_LENGTH (the CLI's config.toml: minimum_password_length = 6).
    password_min_length: int = Field(default=6, ge=1)
    # Sign-up, redirects, mailer and rate limits of the email flows (config.toml's [auth]).
    auth_flows: AuthFlowSettings = AuthFlowSettings()
    # PostgREST's db-plan-enabled: EXPLAIN through Accept: application/vnd.pgrst.plan.
    db_plan_enabled: bool = False

    @property
    def db_schema(self) -> str:
        """The default schema: the first exposed one, as in PostgREST."""
        return self.schemas[0]
