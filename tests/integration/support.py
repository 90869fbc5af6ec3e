"""Helpers shared by the integration tests (fixtures live in conftest.py): raw API calls for
tests that must send exactly what any HTTP client could (ids, Prefer), and the command line
run against the test stack."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from typer.testing import CliRunner, Result

from aimodels.cli.app import app
from aimodels.client import AIModelsClient
from aimodels.stack.state import StackInfo

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "aimodels-dev-password"

Cli = Callable[..., "subprocess.CompletedProcess[str]"]
"""`cli(*args, cwd=REPO)`: run the `aimodels` program, as the `cli_on_test_stack` fixture."""

SignIn = Callable[[str], AIModelsClient]
"""`sign_in(email)`: a client signed in as that seeded account (the `sign_in` fixture)."""


class Rest:
    """One caller of /rest/v1 and /auth/v1: a signed-in account, or the service_role key."""

    def __init__(
        self, stack: StackInfo, token: str, apikey: str | None = None, user: str | None = None
    ) -> None:
        self.base = stack.api_url.rstrip("/")
        self.headers = {"apikey": apikey or stack.anon_key, "Authorization": f"Bearer {token}"}
        self._user = user

    def user_id(self) -> str:
        """The signed-in account's id (auth.users.id = profiles.id)."""
        if self._user is None:
            raise ValueError("not a signed-in account")
        return self._user

    @classmethod
    def signed_in(cls, stack: StackInfo, email: str) -> Rest:
        response = requests.post(
            f"{stack.api_url.rstrip('/')}/auth/v1/token",
            params={"grant_type": "password"},
            headers={"apikey": stack.anon_key},
            json={"email": email, "password": PASSWORD},
            timeout=30,
        )
        response.raise_for_status()
        session = response.json()
        return cls(stack, session["access_token"], user=session["user"]["id"])

    @classmethod
    def service_role(cls, stack: StackInfo) -> Rest:
        return cls(stack, stack.service_role_key, apikey=stack.service_role_key)

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.base}/rest/v1/{path}", headers=self.headers, timeout=30)

    def post(
        self, path: str, body: Any, prefer: str = "return=representation"
    ) -> requests.Response:
        headers = {**self.headers, "Prefer": prefer}
        return requests.post(f"{self.base}/rest/v1/{path}", headers=headers, json=body, timeout=30)

    def rpc(self, name: str, args: dict[str, Any]) -> requests.Response:
        return self.post(f"rpc/{name}", args)

    def patch(self, path: str, body: Any) -> requests.Response:
        headers = {**self.headers, "Prefer": "return=representation"}
        return requests.patch(f"{self.base}/rest/v1/{path}", headers=headers, json=body, timeout=30)

    def delete_user(self, user_id: str) -> requests.Response:
        return requests.delete(
            f"{self.base}/auth/v1/admin/users/{user_id}", headers=self.headers, timeout=30
        )


def sign_in_status(stack: StackInfo, email: str) -> int:
    """The status of a password sign-in (200 when the account can sign in)."""
    response = requests.post(
        f"{stack.api_url.rstrip('/')}/auth/v1/token",
        params={"grant_type": "password"},
        headers={"apikey": stack.anon_key},
        json={"email": email, "password": PASSWORD},
        timeout=30,
    )
    return response.status_code


def cli_runner(stack: StackInfo, env_dir: str) -> Callable[..., Result]:
    """`run(email, *args)`: `aimodels --as email args` against the stack, never the developer's
    .env (AIMODELS_ENV_FILE names an empty file in `env_dir`: a named file must exist)."""
    runner = CliRunner()
    empty_env = Path(env_dir) / "empty.env"
    empty_env.touch()
    env = {
        "SUPABASE_URL": stack.api_url,
        "SUPABASE_ANON_KEY": stack.anon_key,
        "AIMODELS_ENV_FILE": str(empty_env),
        "AIMODELS_PASSWORD": "",
        "COLUMNS": "200",
    }

    def invoke(email: str, *args: str) -> Result:
        return runner.invoke(app, ["--as", email, *args], env=env)

    return invoke
