"""Where the API is: loaded once from arguments, the environment or a `.env` file."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from aimodels.client.errors import InvalidInput, api_errors

ENV_FILE_NAME = ".env"


class ClientSettings(BaseModel):
    """The API URL and the public (anon or publishable) key; never a database URL."""

    model_config = ConfigDict(frozen=True)

    url: HttpUrl
    anon_key: str = Field(min_length=1, repr=False)

    @classmethod
    def from_env(cls, env_file: str | Path | None = None) -> ClientSettings:
        """SUPABASE_URL and SUPABASE_ANON_KEY from the environment, else from a `.env` file.

        `env_file` names the file (InvalidInput if it does not exist); by default the
        nearest `.env` in the current folder or a parent is read, if there is one.
        Raises InvalidInput when a value is missing or not a URL.
        """
        path = find_env_file() if env_file is None else Path(env_file)
        if path is not None and not path.is_file():
            raise InvalidInput(f"{path}: file not found")
        file_values = dotenv_values(path) if path is not None else {}
        where = f" or {path}" if path is not None else ""

        def read(name: str) -> str:
            value = os.environ.get(name) or file_values.get(name)
            if not value:
                raise InvalidInput(
                    f"{name} is not set in the environment{where}: run `aimodels stack up` "
                    "(writes .env) or export it"
                )
            return value

        with api_errors():
            return cls.model_validate(
                {"url": read("SUPABASE_URL"), "anon_key": read("SUPABASE_ANON_KEY")}
            )

    @property
    def api_url(self) -> str:
        return str(self.url).rstrip("/")


def find_env_file(start: Path | None = None) -> Path | None:
    """The nearest `.env` in `start` (default: the current folder) or a folder above it."""
    here = (start or Path.cwd()).resolve()
    return next(
        (
            folder / ENV_FILE_NAME
            for folder in (here, *here.parents)
            if (folder / ENV_FILE_NAME).is_file()
        ),
        None,
    )
