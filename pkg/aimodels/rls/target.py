"""Which stack the matrix runs against: its API (probes) and its database (cleanup only)."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field

from aimodels.stack.state import StackInfo


class Target(BaseModel):
    """The API URL and keys every probe uses, and the superuser URL used only to put data back."""

    model_config = ConfigDict(frozen=True)

    api_url: str
    anon_key: str = Field(repr=False)
    service_role_key: str = Field(repr=False)
    db_url: str = Field(repr=False)

    @classmethod
    def from_stack(cls, info: StackInfo) -> Target:
        return cls(
            api_url=info.api_url,
            anon_key=info.anon_key,
            service_role_key=info.service_role_key,
            db_url=info.db_url,
        )

    @classmethod
    def from_env(cls, env_file: Path) -> Target:
        """SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_DB_URL."""
        file_values = dotenv_values(env_file) if env_file.is_file() else {}

        def read(name: str) -> str:
            value = os.environ.get(name) or file_values.get(name)
            if not value:
                raise ValueError(f"{name} is not set: run `aimodels stack up` (writes .env)")
            return value

        return cls(
            api_url=read("SUPABASE_URL").rstrip("/"),
            anon_key=read("SUPABASE_ANON_KEY"),
            service_role_key=read("SUPABASE_SERVICE_ROLE_KEY"),
            db_url=read("SUPABASE_DB_URL"),
        )
