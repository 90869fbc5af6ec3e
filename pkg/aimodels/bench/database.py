"""The throwaway database a scale lives in: a sibling of the developer's, never the same.

`aimodels_bench_<scale>` (`aimodels_bench_<scale>_<shape>` for the heavy and skewed shapes)
is created in the stack's cluster from template1, given the
platform bootstrap and then our migrations (and seed) by the Supabase CLI, exactly as
`db reset` builds the developer's database. Dropping it loses nothing.
"""

from __future__ import annotations

import psycopg

from aimodels.bench.scales import Scale, Shape
from aimodels.stack.bootstrap import apply_bootstrap
from aimodels.stack.local_stack import LocalStack


class BenchDatabaseError(RuntimeError):
    """The stack is not running, or the bench database is missing or was never seeded."""


class BenchDatabase:
    def __init__(self, stack: LocalStack, scale: Scale, shape: Shape = Shape.WIDE) -> None:
        self.stack = stack
        self.scale = scale
        self.shape = shape
        # The wide shape keeps the name it had before shapes existed.
        suffix = "" if shape is Shape.WIDE else f"_{shape}"
        self.name = f"aimodels_bench_{scale}{suffix}"

    @property
    def owner_url(self) -> str:
        """The superuser (who also owns the tables the migrations create)."""
        return self.stack.cluster.url(database=self.name)

    @property
    def authenticator_url(self) -> str:
        """The login role PostgREST uses; it switches role per request."""
        return self.stack.cluster.url("authenticator", self.name)

    @property
    def auth_admin_url(self) -> str:
        return self.stack.cluster.url("supabase_auth_admin", self.name)

    def require_cluster(self) -> None:
        if not self.stack.cluster.is_running():
            raise BenchDatabaseError(
                "the stack's Postgres is not running: run `aimodels stack up` first"
            )

    def exists(self) -> bool:
        with psycopg.connect(self.stack.cluster.url(), autocommit=True) as conn:
            found = conn.execute(
                "select 1 from pg_database where datname = %s", (self.name,)
            ).fetchone()
        return found is not None

    def recreate(self) -> None:
        """Drop and build it again: bootstrap, then the Supabase CLI's reset (migrations + seed)."""
        self.require_cluster()
        url = self.stack.cluster.create_database(self.name)
        apply_bootstrap(url)
        with psycopg.connect(url, autocommit=True) as conn:
            # What bootstrap gives the `postgres` database, so SQL resolves the same here.
            conn.execute(
                f'alter database "{self.name}" set search_path = "$user", public, extensions'
            )
        self.stack.cli.db_reset(url)

    def drop(self) -> None:
        self.stack.cluster.drop_database(self.name)
