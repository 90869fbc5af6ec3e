"""The model access services of the local stack: the development provider and the
OpenAI-compatible service (`aimodels provider serve`, `aimodels proxy serve`).

Their ports are chosen on the first start and kept in .devstack/model-access.json. After
each start and reset the stack runs the project's local hooks (supabase/local/*.sql) as
superuser with `aimodels.dev_provider_url` set, so the seeded models can be pointed at the
development provider: the seed itself is loaded by the Supabase CLI and cannot know a port.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from pydantic import BaseModel

from aimodels.stack.keys import DB_PASSWORD
from aimodels.stack.ports import pick_port, port_is_free
from aimodels.stack.service_process import ServiceProcess
from aimodels.stack.state import StackInfo

DEV_PROVIDER_SETTING = "aimodels.dev_provider_url"
# The login role the service's pool uses, as PostgREST's: it may only switch roles.
PROXY_LOGIN_ROLE = "authenticator"


def proxy_db_url(db_url: str) -> str:
    """The stack's database as the service's login role (AIMODELS_PROXY_DB_URL)."""
    parts = urlsplit(db_url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{PROXY_LOGIN_ROLE}:{DB_PASSWORD}@{host}"))


def proxy_env(info: StackInfo) -> dict[str, str]:
    """What the service reads: its database login, the JWT secret, the API and the platform
    credential (for the key read). Passed in the environment, never on a command line."""
    return {
        "AIMODELS_PROXY_DB_URL": proxy_db_url(info.db_url),
        "SUPABASE_JWT_SECRET": info.jwt_secret,
        "SUPABASE_URL": info.api_url,
        "SUPABASE_SERVICE_ROLE_KEY": info.service_role_key,
    }


class ModelAccessPorts(BaseModel):
    provider_port: int
    proxy_port: int


class ModelAccess:
    def __init__(self, devstack_dir: Path, preferred_ports: ModelAccessPorts) -> None:
        self.state_file = devstack_dir / "model-access.json"
        ports = self._load() or ModelAccessPorts(
            provider_port=pick_port(preferred_ports.provider_port),
            proxy_port=pick_port(preferred_ports.proxy_port),
        )
        self.ports = ports
        self.provider = ServiceProcess(
            devstack_dir, "dev-provider", ("provider", "serve"), ports.provider_port
        )
        self.proxy = ServiceProcess(devstack_dir, "proxy", ("proxy", "serve"), ports.proxy_port)

    @property
    def provider_url(self) -> str:
        """The development provider's OpenAI-compatible base URL."""
        return f"{self.provider.url}/v1"

    @property
    def proxy_url(self) -> str:
        """The service's OpenAI-compatible base URL (AIMODELS_PROXY_URL)."""
        return f"{self.proxy.url}/v1"

    def start(self, info: StackInfo) -> None:
        self._move_off_taken_ports()
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(self.ports.model_dump_json(indent=2))
        # Both start at once: each spends most of its start-up importing Python, and the two
        # do not need each other until a request comes.
        # (A failure stops what was started here: the stack's `up` does that for every service.)
        provider = self.provider.launch()
        proxy = self.proxy.launch(extra_args=("--env-file", ""), env=proxy_env(info))
        self.provider.wait_until_healthy(provider)
        self.proxy.wait_until_healthy(proxy)

    def stop(self) -> None:
        self.proxy.stop()
        self.provider.stop()

    def apply_local_hooks(self, project_dir: Path, superuser_url: str) -> list[str]:
        """Run supabase/local/*.sql in name order, one transaction; returns the files run."""
        hooks = sorted((project_dir / "supabase" / "local").glob("*.sql"))
        if not hooks:
            return []
        with psycopg.connect(superuser_url) as conn:
            conn.execute(
                "select set_config(%s, %s, true)", (DEV_PROVIDER_SETTING, self.provider_url)
            )
            for hook in hooks:
                conn.execute(hook.read_text().encode())
        return [hook.name for hook in hooks]

    def _move_off_taken_ports(self) -> None:
        """A remembered port another program took meanwhile: take another (the .env and the
        seeded endpoints follow, both written after the start)."""
        for service in (self.provider, self.proxy):
            if service.pid() is None and not port_is_free(service.port):
                service.port = pick_port(service.port + 100)
        self.ports = ModelAccessPorts(provider_port=self.provider.port, proxy_port=self.proxy.port)

    def _load(self) -> ModelAccessPorts | None:
        if not self.state_file.exists():
            return None
        return ModelAccessPorts.model_validate(json.loads(self.state_file.read_text()))
