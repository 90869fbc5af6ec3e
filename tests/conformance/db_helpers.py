"""Helper SQL a test installs for itself (superuser URL needed), visible once the API sees it."""

from __future__ import annotations

import time

import psycopg
import pytest
import requests

from tests.conformance.support import ApiTarget


def superuser(api: ApiTarget) -> psycopg.Connection:
    if api.db_url is None:
        pytest.skip("needs a superuser database URL to install its helper SQL")
    return psycopg.connect(api.db_url, autocommit=True)


def install(api: ApiTarget, create_sql: str, probe_path: str) -> None:
    """Run `create_sql` (which should end with a NOTIFY pgrst), wait until the probe is 200."""
    with superuser(api) as conn:
        conn.execute(create_sql)  # type: ignore[arg-type]
    for _ in range(50):
        probe = requests.get(f"{api.rest_url}/{probe_path}", headers=api.anon_headers(), timeout=10)
        if probe.status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"the API never saw the helper SQL: {probe.status_code} {probe.text}")


def run(api: ApiTarget, statement: str) -> None:
    with superuser(api) as conn:
        conn.execute(statement)  # type: ignore[arg-type]
