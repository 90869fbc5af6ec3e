"""Where the local stack lives and what it is: settings in, StackInfo out."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from aimodels.stack import keys
from aimodels.stack.errors import ProjectNotFound


class Backend(StrEnum):
    LOCAL = "local"  # our own cluster + API gateway, no Docker
    DOCKER = "docker"  # `supabase start`, where a Docker engine exists


class StackSettings(BaseModel):
    """Fixed for one run of the CLI or the test session."""

    model_config = ConfigDict(frozen=True)

    project_dir: Path
    devstack_dir: Path
    env_file: Path | None
    preferred_db_port: int = 54322
    preferred_api_port: int = 54321
    # config.toml's [auth.rate_limit] per client IP; off for the test suite, whose every
    # request comes from one address (the rate-limit tests run their own gateway). None:
    # as the stack in devstack_dir was set up (on for a new one). The choice is kept in its
    # state file, so a CLI call on the test stack (`db reset` restarts the gateway) keeps
    # them off.
    auth_rate_limits: bool | None = None

    @property
    def state_file(self) -> Path:
        return self.devstack_dir / "stack.json"

    @classmethod
    def for_project(cls, project_dir: Path | None = None) -> StackSettings:
        """The developer's stack: .devstack/ in the repo, Supabase's ports, the repo's .env.

        AIMODELS_STACK_DIR and AIMODELS_ENV_FILE move them (tests run a second stack so).
        """
        root = (project_dir or find_project_dir()).resolve()
        devstack = os.environ.get("AIMODELS_STACK_DIR")
        env_file = os.environ.get("AIMODELS_ENV_FILE")
        return cls(
            project_dir=root,
            devstack_dir=Path(devstack).resolve() if devstack else root / ".devstack",
            env_file=Path(env_file).resolve() if env_file else root / ".env",
        )

    @classmethod
    def for_tests(cls, project_dir: Path, devstack_dir: Path) -> StackSettings:
        """A separate stack for the test suite, so tests never reset a developer's data."""
        return cls(
            project_dir=project_dir.resolve(),
            devstack_dir=devstack_dir.resolve(),
            env_file=None,
            preferred_db_port=54332,
            preferred_api_port=54331,
            auth_rate_limits=False,
        )


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest folder upward holding supabase/config.toml (as the Supabase CLI looks)."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "supabase" / "config.toml").exists():
            return candidate
    raise ProjectNotFound(
        f"no supabase/config.toml in {here} or any folder above it: "
        "run this inside the project (or a folder below it)"
    )


class StackPorts(BaseModel):
    """Chosen on the first `stack up` and kept, so URLs stay stable across restarts."""

    backend: Backend = Backend.LOCAL
    db_port: int
    api_port: int
    # Whether the gateway applies config.toml's auth rate limits (None: not recorded, on).
    auth_rate_limits: bool | None = None

    @classmethod
    def load(cls, settings: StackSettings) -> StackPorts | None:
        if not settings.state_file.exists():
            return None
        return cls.model_validate(json.loads(settings.state_file.read_text()))

    def save(self, settings: StackSettings) -> None:
        settings.devstack_dir.mkdir(parents=True, exist_ok=True)
        settings.state_file.write_text(self.model_dump_json(indent=2))


class StackInfo(BaseModel):
    """How to reach a running stack: what `.env` and `stack env` print."""

    model_config = ConfigDict(frozen=True)

    api_url: str
    db_url: str
    anon_key: str = keys.ANON_KEY
    service_role_key: str = keys.SERVICE_ROLE_KEY
    publishable_key: str = keys.PUBLISHABLE_KEY
    secret_key: str = keys.SECRET_KEY
    jwt_secret: str = keys.JWT_SECRET
    # The OpenAI-compatible model access service (…/v1), when the stack runs one.
    proxy_url: str | None = None


class ComponentStatus(BaseModel):
    name: str
    running: bool
    detail: str
    problem: str | None = None  # what is wrong, in one line, when not running or unhealthy


class StackStatus(BaseModel):
    backend: Backend
    components: list[ComponentStatus]
    info: StackInfo | None

    @property
    def running(self) -> bool:
        return bool(self.components) and all(c.running for c in self.components)

    @property
    def problems(self) -> list[str]:
        return [c.problem or f"{c.name} is not running" for c in self.components if not c.running]
