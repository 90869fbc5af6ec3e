"""Each request runs with its role's own settings, as PostgREST applies them.

`alter role anon set statement_timeout = '3s'` (as the platform sets it) binds every anon
request: PostgREST reads the roles' settings (with its config) and applies the target role's
with set_config(..., true) in each request's transaction. `NOTIFY pgrst` reloads them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.conformance.db_helpers import install, run, superuser
from tests.conformance.support import ApiTarget, RestClient, sign_token

HELPERS = """
create or replace function public.conf_gw_setting(name text) returns text
  language sql stable as $$ select pg_catalog.current_setting(name, true) $$;
create or replace function public.conf_gw_sleep(seconds float) returns void
  language sql volatile as $$ select pg_catalog.pg_sleep(seconds) $$;
grant execute on function public.conf_gw_setting(text), public.conf_gw_sleep(float)
  to anon, authenticated, service_role;
notify pgrst, 'reload schema';
"""
DROP = """
drop function if exists public.conf_gw_setting(text);
drop function if exists public.conf_gw_sleep(float);
notify pgrst, 'reload schema';
"""


@pytest.fixture(scope="module")
def helpers(rest_schema: ApiTarget) -> Iterator[ApiTarget]:
    install(rest_schema, HELPERS, "rpc/conf_gw_setting?name=role")
    yield rest_schema
    run(rest_schema, DROP)


def _setting(client: RestClient, name: str) -> object:
    response = client.get(f"rpc/conf_gw_setting?name={name}")
    assert response.status_code == 200, response.text
    return response.json()


def _authenticated(api: ApiTarget) -> RestClient:
    token = sign_token(api, {"role": "authenticated", "aud": "authenticated"})
    return RestClient(api, token)


def test_anon_and_authenticated_get_their_roles_statement_timeout(helpers: ApiTarget) -> None:
    with superuser(helpers) as conn:
        expected = dict(
            conn.execute(
                "select rolname, (select split_part(c, '=', 2) from unnest(rolconfig) c"
                " where c like 'statement_timeout=%%') from pg_roles"
                " where rolname in ('anon', 'authenticated')"
            ).fetchall()
        )
    assert expected["anon"] and expected["authenticated"], "the platform sets both timeouts"

    assert _setting(RestClient(helpers), "statement_timeout") == expected["anon"]
    assert _setting(_authenticated(helpers), "statement_timeout") == expected["authenticated"]


def _setting_once_reloaded(client: RestClient, name: str, expected: str) -> object:
    """The value after `NOTIFY pgrst, 'reload config'` (the reload is asynchronous)."""
    seen = _setting(client, name)
    for _ in range(50):
        if seen == expected:
            break
        time.sleep(0.1)
        seen = _setting(client, name)
    return seen


def test_a_changed_role_setting_applies_after_a_config_reload(helpers: ApiTarget) -> None:
    service = RestClient(helpers, helpers.service_role_key)
    before = _setting(service, "statement_timeout")
    with superuser(helpers) as conn:
        # PostgREST: role settings are read with the config; NOTIFY pgrst reloads them.
        conn.execute("alter role service_role set statement_timeout = '17s'")
        try:
            conn.execute("notify pgrst, 'reload config'")
            seen = _setting_once_reloaded(service, "statement_timeout", "17s")
        finally:
            conn.execute("alter role service_role reset statement_timeout")
            conn.execute("notify pgrst, 'reload config'")
        after = _setting_once_reloaded(service, "statement_timeout", str(before))

    assert seen == "17s"
    assert after == before


def test_a_statement_past_the_roles_timeout_is_cancelled(helpers: ApiTarget) -> None:
    anon = RestClient(helpers)
    timeout = _setting(anon, "statement_timeout")
    assert timeout == "3s", f"this test assumes the platform's 3 s anon timeout, not {timeout}"

    response = anon.request("POST", "rpc/conf_gw_sleep", json={"seconds": 3.5})

    # PostgREST: 57014 query_canceled is a 500 with the database's message.
    assert response.status_code == 500, response.text
    assert response.json()["code"] == "57014"
