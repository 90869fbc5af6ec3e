"""Conformance suite fixtures: which API to test, and throwaway actors on it.

The suite speaks raw HTTP (requests) and supabase-py to `/auth/v1` and `/rest/v1`. It targets
the local test stack (fixture `stack` from tests/conftest.py) unless
`AIMODELS_CONFORMANCE_TARGET=env`, in which case SUPABASE_URL, SUPABASE_ANON_KEY and
SUPABASE_SERVICE_ROLE_KEY (and optionally SUPABASE_JWT_SECRET, SUPABASE_DB_URL) name any
Supabase API, e.g. one started with `supabase start`, so the same cases prove the real servers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from aimodels.stack import keys
from tests.conformance.support import (
    OWNER_A,
    ApiTarget,
    RestClient,
    SignedIn,
    ThrowawayUser,
    load_rest_fixture,
    sign_token,
)


@pytest.fixture(scope="session")
def api(request: pytest.FixtureRequest) -> ApiTarget:
    """The API under test (local stack by default, the environment's with TARGET=env)."""
    if os.environ.get("AIMODELS_CONFORMANCE_TARGET") == "env":
        return ApiTarget(
            url=os.environ["SUPABASE_URL"].rstrip("/"),
            anon_key=os.environ["SUPABASE_ANON_KEY"],
            service_role_key=os.environ["SUPABASE_SERVICE_ROLE_KEY"],
            jwt_secret=os.environ.get("SUPABASE_JWT_SECRET", keys.JWT_SECRET),
            db_url=os.environ.get("SUPABASE_DB_URL"),
        )
    stack = request.getfixturevalue("stack")
    return ApiTarget(
        url=stack.api_url.rstrip("/"),
        anon_key=stack.anon_key,
        service_role_key=stack.service_role_key,
        jwt_secret=stack.jwt_secret,
        db_url=stack.db_url,
    )


@pytest.fixture
def user_factory(api: ApiTarget) -> Iterator[Callable[..., ThrowawayUser]]:
    """Creates users on demand (e.g. unconfirmed ones); all are deleted after the test."""
    created: list[ThrowawayUser] = []

    def make(**options: object) -> ThrowawayUser:
        user = api.create_user(**options)  # type: ignore[arg-type]
        created.append(user)
        return user

    yield make
    for user in created:
        api.delete_user(user.id)


@pytest.fixture
def throwaway_user(api: ApiTarget) -> Iterator[ThrowawayUser]:
    """A fresh confirmed user, deleted after the test."""
    user = api.create_user()
    yield user
    api.delete_user(user.id)


@pytest.fixture
def signed_in(api: ApiTarget, throwaway_user: ThrowawayUser) -> SignedIn:
    """The throwaway user, signed in with the password grant."""
    response = api.sign_in(throwaway_user.email, throwaway_user.password)
    assert response.status_code == 200, response.text
    body = response.json()
    return SignedIn(throwaway_user, body["access_token"], body["refresh_token"])


@pytest.fixture(scope="session")
def rest_schema(api: ApiTarget) -> ApiTarget:
    """The fixture schema loaded once per session; waits until the API's cache has it."""
    load_rest_fixture(api)
    deadline = time.monotonic() + 15
    while True:
        response = requests.get(
            f"{api.rest_url}/conf_clients?select=id&limit=1", headers=api.anon_headers(), timeout=10
        )
        if response.status_code == 200:
            return api
        if time.monotonic() > deadline:
            pytest.fail(
                "the API never served the conformance fixture schema within 15 s: "
                f"last answer {response.status_code} {response.text[:200]}"
            )
        time.sleep(0.2)


@pytest.fixture
def rest(rest_schema: ApiTarget) -> RestClient:
    """Anonymous raw HTTP on the fixture schema (read-only tests)."""
    return RestClient(rest_schema)


@pytest.fixture
def fresh_rest(rest_schema: ApiTarget) -> RestClient:
    """For a test that writes: the fixture's rows are reloaded first."""
    load_rest_fixture(rest_schema)
    return RestClient(rest_schema)


@pytest.fixture
def service_rest(rest: RestClient) -> RestClient:
    return rest.as_token(rest.api.service_role_key)


@pytest.fixture
def owner_a_rest(rest: RestClient) -> RestClient:
    token = sign_token(rest.api, {"sub": OWNER_A, "role": "authenticated", "aud": "authenticated"})
    return rest.as_token(token)


@pytest.fixture
def supabase_anon(rest_schema: ApiTarget):  # type: ignore[no-untyped-def]
    """supabase-py, exactly as an application creates it with the anon key."""
    from supabase import create_client

    return create_client(rest_schema.url, rest_schema.anon_key)


@pytest.fixture
def supabase_service(rest_schema: ApiTarget):  # type: ignore[no-untyped-def]
    from supabase import create_client

    return create_client(rest_schema.url, rest_schema.service_role_key)
