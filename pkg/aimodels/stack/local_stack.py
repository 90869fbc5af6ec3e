"""The local Supabase stack without Docker: Postgres 15 + bootstrap + Supabase CLI + gateway.

`up` is idempotent: it creates what is missing, starts what is stopped, resets the database
only on first creation or when asked, and always rewrites `.env`.
"""

from __future__ import annotations

from aimodels.stack.bootstrap import apply_bootstrap
from aimodels.stack.cluster import LocalCluster, pick_port, port_is_free
from aimodels.stack.envfile import write_env_file
from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.model_access import ModelAccess, ModelAccessPorts
from aimodels.stack.state import (
    Backend,
    ComponentStatus,
    StackInfo,
    StackPorts,
    StackSettings,
    StackStatus,
)
from aimodels.stack.supabase_cli import SupabaseCli


class LocalStack:
    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.ports = StackPorts.load(settings) or StackPorts(
            db_port=pick_port(settings.preferred_db_port),
            api_port=pick_port(settings.preferred_api_port),
        )
        self.cli = SupabaseCli(settings.project_dir)
        self._place_components()

    def _place_components(self) -> None:
        self.cluster = LocalCluster(self.settings.devstack_dir / "pg", self.ports.db_port)
        self.gateway = GatewayProcess(self.settings.devstack_dir, self.ports.api_port)
        self.model_access = ModelAccess(
            self.settings.devstack_dir,
            ModelAccessPorts(
                provider_port=self.settings.preferred_api_port + 9,
                proxy_port=self.settings.preferred_api_port + 8,
            ),
        )

    def _claim_ports(self) -> None:
        """Move off a remembered port that another program (or stack) took meanwhile.

        Without this a second stack would find the first one's gateway answering on "its"
        port and run against the wrong database.
        """
        db_port, api_port = self.ports.db_port, self.ports.api_port
        if not self.cluster.is_running() and not port_is_free(db_port):
            db_port = pick_port(self.settings.preferred_db_port + 100)
        if self.gateway.pid() is None and not port_is_free(api_port):
            api_port = pick_port(self.settings.preferred_api_port + 100)
        if (db_port, api_port) != (self.ports.db_port, self.ports.api_port):
            self.ports = self.ports.model_copy(update={"db_port": db_port, "api_port": api_port})
            self._place_components()

    @property
    def info(self) -> StackInfo:
        return StackInfo(
            api_url=self.gateway.url,
            db_url=self.cluster.url(),
            proxy_url=self.model_access.proxy_url,
        )

    def up(self, *, reset: bool = False) -> StackInfo:
        self.settings.devstack_dir.mkdir(parents=True, exist_ok=True)
        fresh = not self.cluster.is_initialized()
        self._claim_ports()
        self.cluster.initialize()
        self.ports.save(self.settings)
        self.cluster.start()
        apply_bootstrap(self.cluster.url())
        if fresh or reset:
            self.cli.db_reset(self.cluster.url())
        self._start_gateway()
        self._start_model_access()
        if self.settings.env_file is not None:
            write_env_file(self.settings.env_file, self.info)
        return self.info

    def reset(
        self, *, version: str | None = None, last: int | None = None, seed: bool = True
    ) -> str:
        """`supabase db reset`; the gateway restarts so its schema cache sees the new schema.

        It restarts even when the reset fails, so the API keeps serving what is there.
        """
        self.gateway.stop()
        try:
            apply_bootstrap(self.cluster.url())
            output = self.cli.db_reset(self.cluster.url(), version=version, last=last, seed=seed)
            self.model_access.apply_local_hooks(self.settings.project_dir, self.cluster.url())
            return output
        finally:
            self._start_gateway()

    def down(self) -> None:
        self.model_access.stop()
        self.gateway.stop()
        self.cluster.stop()

    def destroy(self) -> None:
        """Stop everything and delete the cluster's files (the next `up` starts from nothing)."""
        self.model_access.stop()
        self.gateway.stop()
        self.cluster.destroy()
        self.settings.state_file.unlink(missing_ok=True)

    def status(self) -> StackStatus:
        db_running = self.cluster.is_running()
        api_running = self.gateway.pid() is not None and self.gateway.is_healthy()
        components = [
            ComponentStatus(
                name="postgres",
                running=db_running,
                detail=f"127.0.0.1:{self.ports.db_port} ({self.cluster.data_dir})",
            ),
            ComponentStatus(name="api gateway", running=api_running, detail=self.gateway.url),
            *self._model_access_status(),
        ]
        return StackStatus(
            backend=Backend.LOCAL,
            components=components,
            info=self.info if db_running else None,
        )

    def _start_model_access(self) -> None:
        """The development provider and the model access service; seeded models pointed at
        the provider (supabase/local hooks), whose port the seed cannot know."""
        self.model_access.start(self.info)
        self.model_access.apply_local_hooks(self.settings.project_dir, self.cluster.url())

    def _model_access_status(self) -> list[ComponentStatus]:
        return [
            ComponentStatus(
                name=name,
                running=service.pid() is not None and service.is_healthy(),
                detail=service.url,
            )
            for name, service in (
                ("model access service", self.model_access.proxy),
                ("development provider", self.model_access.provider),
            )
        ]

    def _start_gateway(self) -> None:
        self.gateway.start(
            rest_db_url=self.cluster.url("authenticator"),
            auth_db_url=self.cluster.url("supabase_auth_admin"),
        )
