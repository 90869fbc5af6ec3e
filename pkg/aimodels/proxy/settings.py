"""Where the service finds the API and how long it waits for providers: loaded once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr

DEFAULT_PROXY_PORT = 54329
DEFAULT_PROVIDER_PORT = 54330


class ProxySettings(BaseModel):
    """The API (URL + anon key), the platform credential that reads model keys, timeouts."""

    model_config = ConfigDict(frozen=True)

    api_url: str
    anon_key: SecretStr
    # Used for one call only: get_model_api_key. Every other statement runs as the user.
    service_role_key: SecretStr
    host: str = "127.0.0.1"
    port: int = DEFAULT_PROXY_PORT
    provider_timeout: Annotated[float, Field(gt=0)] = 60.0
    # Model keys are cached this long in memory (never on disk) to spare a call per request.
    key_cache_seconds: Annotated[float, Field(ge=0)] = 30.0

    @classmethod
    def from_env(cls, env_file: str | Path | None = ".env", **overrides: object) -> ProxySettings:
        file_values = dotenv_values(env_file) if env_file and Path(env_file).is_file() else {}

        def read(name: str) -> str:
            value = os.environ.get(name) or file_values.get(name)
            if not value:
                raise ValueError(f"{name} is not set: run `aimodels stack up` or export it")
            return value

        values: dict[str, object] = {
            "api_url": read("SUPABASE_URL").rstrip("/"),
            "anon_key": read("SUPABASE_ANON_KEY"),
            "service_role_key": read("SUPABASE_SERVICE_ROLE_KEY"),
        }
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls.model_validate(values)
