"""A throwaway copy of the product beside a running stack: its own database and gateway.

The mutation check breaks policies on purpose; it does so here, never in the database a
developer or another test is using. The database lives in the stack's own cluster (created
from template1, bootstrapped, then `supabase db reset` on it), and a second gateway on
another port serves it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from aimodels.rls.target import Target
from aimodels.stack.bootstrap import apply_bootstrap
from aimodels.stack.cluster import pick_port
from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.local_stack import LocalStack

DEFAULT_DATABASE = "aimodels_rls_mutation"


class ThrowawayStack:
    def __init__(
        self, stack: LocalStack, *, database: str = DEFAULT_DATABASE, port: int | None = None
    ) -> None:
        self.stack = stack
        self.database = database
        folder = stack.settings.devstack_dir / f"rls-{database}"
        folder.mkdir(parents=True, exist_ok=True)
        self.gateway = GatewayProcess(folder, port or pick_port(stack.ports.api_port + 60))

    @property
    def superuser_url(self) -> str:
        return self.stack.cluster.url(database=self.database)

    def __enter__(self) -> Self:
        cluster = self.stack.cluster
        cluster.create_database(self.database)
        try:
            apply_bootstrap(self.superuser_url)
            self.stack.cli.db_reset(self.superuser_url)
            self.gateway.start(
                rest_db_url=cluster.url("authenticator", self.database),
                auth_db_url=cluster.url("supabase_auth_admin", self.database),
            )
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.gateway.stop()
        self.stack.cluster.drop_database(self.database)

    def target(self) -> Target:
        info = self.stack.info
        return Target(
            api_url=self.gateway.url,
            anon_key=info.anon_key,
            service_role_key=info.service_role_key,
            db_url=self.superuser_url,
        )
