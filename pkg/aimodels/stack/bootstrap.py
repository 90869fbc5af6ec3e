"""Apply the platform bootstrap (bootstrap.sql) that Supabase's Postgres image would provide."""

from __future__ import annotations

from importlib.resources import files

import psycopg


def bootstrap_sql() -> str:
    return files("aimodels.stack").joinpath("bootstrap.sql").read_text()


def apply_bootstrap(superuser_url: str) -> None:
    """Idempotent: roles, auth schema, extensions and default grants, in one transaction."""
    with psycopg.connect(superuser_url) as conn:
        conn.execute(bootstrap_sql().encode())
