"""Conformance suite fixtures: which API to test, and throwaway actors on it.

The suite speaks raw HTTP (requests) and supabase-py to `/auth/v1` and `/rest/v1`. It targets
the local test stack (fixture `stack` from tests/conftest.py) unless
`AIMODELS_CONFORMANCE_TARGET=env`, in which case SUPABASE_URL, SUPABASE_ANON_KEY and
SUPABASE_SERVICE_ROLE_KEY (and optionally SUPABASE_JWT_SECRET, SUPABASE_DB_URL) name any
Supabase API, e.g. one started with `supabase start`, so the same cases prove the real servers.

Shared with the REST suite: add fixtures here, never remove or change existing ones.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jwt
import psycopg
import pytest
import requests

from aimodels.stack import keys

API_VERSION_HEADERS = {"X-Supabase-Api-Version": "2024-01-01"}
DEV_PASSWORD = "aimodels-dev-password"


@dataclass(frozen=True)
class ThrowawayUser:
    """A confirmed email user created through the admin API for one test."""

    id: str
    email: str
    password: str


@dataclass(frozen=True)
class ApiTarget:
    """An API under test: base URL, its keys, and (when known) a superuser DB URL."""

    url: str
    anon_key: str
    service_role_key: str
    jwt_secret: str
    db_url: str | None = None

    @property
    def auth_url(self) -> str:
        return f"{self.url}/auth/v1"

    @property
    def rest_url(self) -> str:
        return f"{self.url}/rest/v1"

    def anon_headers(self) -> dict[str, str]:
        """What supabase-py sends before anyone signs in."""
        return {
            "apikey": self.anon_key,
            "Authorization": f"Bearer {self.anon_key}",
            **API_VERSION_HEADERS,
        }

    def service_headers(self) -> dict[str, str]:
        return {
            "apikey": self.service_role_key,
            "Authorization": f"Bearer {self.service_role_key}",
            **API_VERSION_HEADERS,
        }

    def user_headers(self, access_token: str) -> dict[str, str]:
        return {
            "apikey": self.anon_key,
            "Authorization": f"Bearer {access_token}",
            **API_VERSION_HEADERS,
        }

    def create_user(self, *, confirmed: bool = True, **extra: object) -> ThrowawayUser:
        """A new email user through the admin API (the caller deletes it)."""
        email = f"conformance-{uuid.uuid4().hex[:12]}@example.test"
        password = f"pw-{uuid.uuid4().hex}"
        body = {"email": email, "password": password, "email_confirm": confirmed, **extra}
        response = requests.post(
            f"{self.auth_url}/admin/users", json=body, headers=self.service_headers(), timeout=10
        )
        assert response.status_code == 200, response.text
        return ThrowawayUser(id=response.json()["id"], email=email, password=password)

    def delete_user(self, user_id: str) -> None:
        requests.delete(
            f"{self.auth_url}/admin/users/{user_id}", headers=self.service_headers(), timeout=10
        )

    def sign_in(self, email: str, password: str) -> requests.Response:
        """The password grant, as supabase-py sends it."""
        return requests.post(
            f"{self.auth_url}/token?grant_type=password",
            json={"email": email, "password": password},
            headers=self.anon_headers(),
            timeout=10,
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


@dataclass(frozen=True)
class SignedIn:
    user: ThrowawayUser
    access_token: str
    refresh_token: str


@pytest.fixture
def signed_in(api: ApiTarget, throwaway_user: ThrowawayUser) -> SignedIn:
    """The throwaway user, signed in with the password grant."""
    response = api.sign_in(throwaway_user.email, throwaway_user.password)
    assert response.status_code == 200, response.text
    body = response.json()
    return SignedIn(throwaway_user, body["access_token"], body["refresh_token"])


# ---------------------------------------------------------------------------
# REST suite: the product-agnostic fixture schema and a raw HTTP helper
# ---------------------------------------------------------------------------

FIXTURE_SQL = Path(__file__).with_name("fixture_schema.sql")
# Owners of the fixture's tasks (RLS: owner_id = auth.uid()).
OWNER_A = "11111111-1111-1111-1111-111111111111"
OWNER_B = "22222222-2222-2222-2222-222222222222"


def _load_rest_fixture(api: ApiTarget) -> None:
    assert api.db_url, "the REST conformance suite needs a superuser DB URL to load its fixture"
    with psycopg.connect(api.db_url, autocommit=True) as conn:
        conn.execute(FIXTURE_SQL.read_text())  # type: ignore[arg-type]


@dataclass(frozen=True)
class RestClient:
    """Raw HTTP to /rest/v1 with the headers supabase-py sends (anon unless told)."""

    api: ApiTarget
    token: str | None = None

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        bearer = self.token or self.api.anon_key
        base = {"apikey": self.api.anon_key, "Authorization": f"Bearer {bearer}"}
        return {**base, **(extra or {})}

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: object
    ) -> requests.Response:
        return requests.request(
            method,
            f"{self.api.rest_url}/{path.lstrip('/')}",
            headers=self.headers(headers),
            timeout=10,
            **kwargs,  # type: ignore[arg-type]
        )

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return self.request("GET", path, **kwargs)  # type: ignore[arg-type]

    def as_token(self, token: str) -> RestClient:
        return RestClient(self.api, token)


def sign_token(api: ApiTarget, claims: dict[str, object], secret: str | None = None) -> str:
    """A JWT as GoTrue would sign it (HS256 with the project's secret)."""
    return jwt.encode(
        {"exp": int(time.time()) + 3600, **claims}, secret or api.jwt_secret, algorithm="HS256"
    )


@pytest.fixture(scope="session")
def rest_schema(api: ApiTarget) -> ApiTarget:
    """The fixture schema loaded once per session; waits until the API's cache has it."""
    _load_rest_fixture(api)
    for _ in range(50):
        response = requests.get(
            f"{api.rest_url}/conf_clients?select=id&limit=1", headers=api.anon_headers(), timeout=10
        )
        if response.status_code == 200:
            break
        time.sleep(0.2)
    return api


@pytest.fixture
def rest(rest_schema: ApiTarget) -> RestClient:
    """Anonymous raw HTTP on the fixture schema (read-only tests)."""
    return RestClient(rest_schema)


@pytest.fixture
def fresh_rest(rest_schema: ApiTarget) -> RestClient:
    """For a test that writes: the fixture's rows are reloaded first."""
    _load_rest_fixture(rest_schema)
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
