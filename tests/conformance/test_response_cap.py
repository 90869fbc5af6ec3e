"""A response larger than the gateway's cap never leaves the database: a clear JSON 500.

PostgREST would build and hold any body in memory; the gateway refuses one past its cap
(16 MiB by default) with Postgres's program_limit_exceeded code, 54000, and a hint to page.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance.db_helpers import install, run
from tests.conformance.support import ApiTarget, RestClient

HELPERS = """
create or replace function public.conf_gw_text(size integer) returns text
  language sql immutable as $$ select pg_catalog.repeat('x', size) $$;
grant execute on function public.conf_gw_text(integer) to anon, authenticated, service_role;
notify pgrst, 'reload schema';
"""
DROP = """
drop function if exists public.conf_gw_text(integer);
notify pgrst, 'reload schema';
"""
CAP = 16 * 1024 * 1024


@pytest.fixture(scope="module")
def big_text(rest_schema: ApiTarget) -> Iterator[RestClient]:
    install(rest_schema, HELPERS, "rpc/conf_gw_text?size=1")
    yield RestClient(rest_schema)
    run(rest_schema, DROP)


def test_a_body_under_the_cap_is_sent(big_text: RestClient) -> None:
    response = big_text.get("rpc/conf_gw_text?size=100000")

    assert response.status_code == 200
    assert response.json() == "x" * 100000


def test_a_body_over_the_cap_is_refused_with_a_clear_error(big_text: RestClient) -> None:
    response = big_text.get(f"rpc/conf_gw_text?size={CAP + 1}")

    assert response.status_code == 500, response.text[:200]
    body = response.json()
    assert body["code"] == "54000"
    assert str(CAP) in body["message"]
    assert body["hint"]
