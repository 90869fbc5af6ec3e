"""The local Supabase stack without Docker: Postgres 15 + bootstrap + Supabase CLI + gateway.

`up` is idempotent: it creates what is missing, starts what is stopped (a dead or unhealthy
gateway is replaced, Postgres left alone if it runs), resets the database only on first
creation or when asked, and rewrites `.env`. Each server binds its port at start and moves
to a free one if another program took it meanwhile; if `up` fails, it stops what it started.
"""

from __future__ import annotations

from pathlib import Path

from aimodels.stack.auth_config import load_auth_config
from aimodels.stack.bootstrap import apply_bootstrap
from aimodels.stack.cluster import LocalCluster
from aimodels.stack.envfile import write_env_file
from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.mail_process import MailCatcherProcess, configured_web_port
from aimodels.stack.model_access import ModelAccess, ModelAccessPorts
from aimodels.stack.ports import pick_port, start_on_free_port
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
        if settings.auth_rate_limits is not None:
            self.ports = self.ports.model_copy(
                update={"auth_rate_limits": settings.auth_rate_limits}
            )
        self.cli = SupabaseCli(settings.project_dir)
        self.cluster = LocalCluster(settings.devstack_dir / "pg", self.ports.db_port)
        self.gateway = GatewayProcess(settings.devstack_dir, self.ports.api_port)
        self.mail = MailCatcherProcess(
            self.settings.devstack_dir, configured_web_port(self._config_toml)
        )
        self.model_access = ModelAccess(
            settings.devstack_dir,
            ModelAccessPorts(
                provider_port=settings.preferred_api_port + 9,
                proxy_port=settings.preferred_api_port + 8,
            ),
        )

    @property
    def _config_toml(self) -> Path:
        return self.settings.project_dir / "supabase" / "config.toml"

    @property
    def info(self) -> StackInfo:
        return StackInfo(
            api_url=self.gateway.url,
            db_url=self.cluster.url(),
            proxy_url=self.model_access.proxy_url,
        )

    def up(self, *, reset: bool = False) -> StackInfo:
        self.settings.devstack_dir.mkdir(parents=True, exist_ok=True)
        # A first `up` that failed before its reset finished must reset on the next one.
        pending = self.settings.devstack_dir / "reset-pending"
        if not self.cluster.is_initialized():
            pending.touch()
        started_cluster = False
        services = (self.model_access.proxy, self.model_access.provider, self.mail)
        running_before = [service for service in services if service.pid() is not None]
        try:
            self.cluster.initialize()
            if not self.cluster.is_running():
                self.cluster.port = start_on_free_port(self.cluster.port, self._start_cluster)
                started_cluster = True
            self._remember_ports()
            apply_bootstrap(self.cluster.url())
            if pending.exists() or reset:
                self.cli.db_reset(self.cluster.url())
                pending.unlink(missing_ok=True)
            self._start_gateway()
            self._start_model_access()
        except BaseException:
            # Leave the stack as we found it: a Postgres started here goes down again, with
            # everything on it; on a Postgres that ran before, the services started here stop.
            if started_cluster:
                self.model_access.stop()
                self.gateway.stop()
                self.mail.stop()
                self.cluster.stop()
            else:
                for service in services:
                    if service not in running_before:
                        service.stop()
            raise
        self._write_env()
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
            self._write_env()

    def down(self) -> None:
        self.model_access.stop()
        self.gateway.stop()
        self.mail.stop()
        self.cluster.stop()

    def destroy(self) -> None:
        """Stop everything and delete the cluster's files (the next `up` starts from nothing)."""
        self.model_access.stop()
        self.gateway.stop()
        self.mail.stop()
        self.cluster.destroy()
        self.settings.state_file.unlink(missing_ok=True)

    def status(self) -> StackStatus:
        db_running = self.cluster.is_running()
        api_problem = self.gateway.problem()
        components = [
            ComponentStatus(
                name="postgres",
                running=db_running,
                detail=f"127.0.0.1:{self.ports.db_port} ({self.cluster.data_dir})",
                problem=None if db_running else "Postgres is not running",
            ),
            ComponentStatus(
                name="api gateway",
                running=api_problem is None,
                detail=self.gateway.url,
                problem=api_problem,
            ),
            ComponentStatus(
                name="mail catcher",
                running=self.mail.pid() is not None and self.mail.is_healthy(),
                detail=self.mail.url or "not started",
            ),
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

    def _start_cluster(self, port: int) -> None:
        self.cluster.port = port
        self.cluster.start()

    def _remember_ports(self) -> None:
        self.ports = self.ports.model_copy(
            update={"db_port": self.cluster.port, "api_port": self.gateway.port}
        )
        self.ports.save(self.settings)

    def _start_gateway(self) -> None:
        """Start (or replace) the gateway; it may move port, so the ports are saved after."""
        # The gateway mails through the catcher: (re)start it first (a no-op when healthy).
        mail_ports = self.mail.start()
        auth = load_auth_config(
            self._config_toml,
            smtp_port=mail_ports.smtp_port,
            rate_limits=self.ports.auth_rate_limits is not False,
        )
        self.gateway.start(
            rest_db_url=self.cluster.url("authenticator"),
            auth_db_url=self.cluster.url("supabase_auth_admin"),
            extra_args=[
                "--auth-flows",
                auth.flows.model_dump_json(),
                "--mailer-autoconfirm" if auth.mailer_autoconfirm else "--no-mailer-autoconfirm",
                # PostgREST's db-plan-enabled, on for local development as the CLI's stack has it.
                "--db-plan-enabled",
            ],
        )
        self._remember_ports()

    def _write_env(self) -> None:
        if self.settings.env_file is not None:
            write_env_file(self.settings.env_file, self.info)
