"""Where the API is: loaded once from arguments, the environment or a `.env` file."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from aimodels.client.errors import InvalidInput


class ClientSettings(BaseModel):
    """The API URL and the public (anon or publishable) key; never a database URL."""

    model_config = ConfigDict(frozen=True)

    url: HttpUrl
    anon_key: str = Field(min_length=1, repr=False)

    @classmethod
    def from_env(cls, env_file: str | Path | None = ".env") -> ClientSettings:
        """SUPABASE_URL and SUPABASE_ANON_KEY from the environment, else from `env_file`."""
        file_values = dotenv_values(env_file) if env_file and Path(env_file).is_file() else {}

        def read(name: str) -> str:
            value = os.environ.get(name) or file_values.get(name)
            if not value:
                raise InvalidInput(
                    f"{name} is not set: run `aimodels stack up` (writes .env) or export it"
                )
            return value

        return cls.model_validate(
            {"url": read("SUPABASE_URL"), "anon_key": read("SUPABASE_ANON_KEY")}
        )

    @property
    def api_url(self) -> str:
        return str(self.url).rstrip("/")
