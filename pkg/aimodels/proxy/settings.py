"""Where the service finds its database, the API and the JWT secret: loaded once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr

DEFAULT_PROXY_PORT = 54329
DEFAULT_PROVIDER_PORT = 54330
PROXY_DB_URL = "AIMODELS_PROXY_DB_URL"


class ProxySettings(BaseModel):
    """The database login that becomes each caller, the JWT secret that verifies them, the
    API and platform credential that read model keys, pool size and timeouts."""

    model_config = ConfigDict(frozen=True)

    # A login role that may switch to `authenticated` (locally `authenticator`, as PostgREST
    # logs in); every statement of a user's request runs as that user through it.
    db_url: SecretStr
    # The project's JWT secret: the service verifies each caller's token itself.
    jwt_secret: SecretStr
    api_url: str
    # Used for one call only: get_model_api_key. Every other statement runs as the user.
    service_role_key: SecretStr
    host: str = "127.0.0.1"
    port: int = DEFAULT_PROXY_PORT
    provider_timeout: Annotated[float, Field(gt=0)] = 60.0
    # Model keys are cached this long in memory (never on disk) to spare a call per request.
    key_cache_seconds: Annotated[float, Field(ge=0)] = 30.0
    # Connections of the service's own pool; a request waits at most pool_timeout for one.
    db_pool_size: Annotated[int, Field(ge=1)] = 16
    db_pool_timeout: Annotated[float, Field(gt=0)] = 30.0

    @classmethod
    def from_env(cls, env_file: str | Path | None = ".env", **overrides: object) -> ProxySettings:
        file_values = dotenv_values(env_file) if env_file and Path(env_file).is_file() else {}

        def read(name: str) -> str:
            value = os.environ.get(name) or file_values.get(name)
            if not value:
                raise ValueError(f"{name} is not set: run `aimodels stack up` or export it")
            return value

        values: dict[str, object] = {
            "db_url": read(PROXY_DB_URL),
            "jwt_secret": read("SUPABASE_JWT_SECRET"),
            "api_url": read("SUPABASE_URL").rstrip("/"),
            "service_role_key": read("SUPABASE_SERVICE_ROLE_KEY"),
        }
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls.model_validate(values)
