"""Conformance suite helpers: the API under test, throwaway actors, raw HTTP to it."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
import psycopg
import requests

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


@dataclass(frozen=True)
class SignedIn:
    user: ThrowawayUser
    access_token: str
    refresh_token: str


FIXTURE_SQL = Path(__file__).with_name("fixture_schema.sql")
# Owners of the fixture's tasks (RLS: owner_id = auth.uid()).
OWNER_A = "11111111-1111-1111-1111-111111111111"
OWNER_B = "22222222-2222-2222-2222-222222222222"


def load_rest_fixture(api: ApiTarget) -> None:
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
