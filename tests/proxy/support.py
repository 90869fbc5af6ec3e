"""Helpers of the model access tests: tokens, the database as superuser, own services."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import requests

from aimodels.stack.model_access import proxy_env
from aimodels.stack.service_process import ServiceProcess
from aimodels.stack.state import StackInfo

PASSWORD = "aimodels-dev-password"
IMMIGRATION = UUID("00000000-0000-0000-0003-000000000002")  # bright-visas: 20000/user/week
LEGAL_DRAFTER = UUID("00000000-0000-0000-0003-000000000001")  # visible to bright-visas, off
GENERAL_WRITING = UUID("00000000-0000-0000-0003-000000000004")  # free
BRIGHT_VISAS = UUID("00000000-0000-0000-0001-000000000002")
CLINICAL_NOTES = UUID("00000000-0000-0000-0003-000000000006")  # pulse-health's 14-day trial
IMMIGRATION_SYSTEM_MESSAGE = (
    "You help immigration advisers prepare visa applications. "
    "Cite the relevant Immigration Rules paragraph."
)
USER1 = "user1@bright-visas.example.test"
USER2 = "user2@bright-visas.example.test"
ADMIN = "admin@bright-visas.example.test"


def access_token(stack: StackInfo, email: str) -> str:
    """A user's Supabase access token, by password sign-in through the API."""
    response = requests.post(
        f"{stack.api_url}/auth/v1/token",
        params={"grant_type": "password"},
        json={"email": email, "password": PASSWORD},
        headers={"apikey": stack.anon_key},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Database:
    """Superuser reads and settings for assertions; never how the service reaches data."""

    def __init__(self, url: str) -> None:
        self.url = url

    def now(self) -> datetime:
        return self._one("select clock_timestamp()")

    def usage_since(self, since: datetime, email: str = USER1) -> list[int]:
        rows = self._all(
            "select u.tokens_used from public.ai_model_usage u"
            " join auth.users a on a.id = u.user_id"
            " where a.email = %s and u.created_at >= %s order by u.created_at",
            (email, since),
        )
        return [int(row[0]) for row in rows]

    def holds_since(self, since: datetime) -> list[tuple[str, int, int | None]]:
        """(status, tokens_held, tokens_settled) of the holds taken since `since`."""
        return [
            (str(status), int(held), settled)
            for status, held, settled in self._all(
                "select status, tokens_held, tokens_settled from public.usage_reservations"
                " where created_at >= %s order by created_at",
                (since,),
            )
        ]

    def active_tokens_held(self, email: str = USER1) -> int:
        return int(
            self._one(
                "select private.user_tokens_held(a.id, %s) from auth.users a where a.email = %s",
                (IMMIGRATION, email),
            )
        )

    def set_user_limit(self, tokens: int) -> None:
        self._run(
            "update public.org_system_model_config set token_limit_per_user = %s"
            " where organization_id = %s and system_model_id = %s",
            (tokens, BRIGHT_VISAS, IMMIGRATION),
        )

    def set_hold_ttl(self, seconds: float) -> None:
        self._run(
            "update private.usage_hold_settings set hold_ttl = make_interval(secs => %s)",
            (seconds,),
        )

    def set_model(self, model_id: UUID, *, endpoint: str, api_key: str) -> None:
        self._run(
            "update public.ai_models_system set endpoint = %s where id = %s", (endpoint, model_id)
        )
        self._run("select public.set_model_api_key(%s, %s)", (model_id, api_key))

    def window_consistency(self) -> tuple[int, int]:
        """(counter, sum of rows) of user1's Immigration window: they must be equal."""
        row = self._all(
            "select t.tokens, (select coalesce(sum(u.tokens_used), 0) from public.ai_model_usage u"
            "   where u.user_id = t.user_id and u.model_id = t.model_id"
            "   and u.period_start = t.period_start and u.period_end = t.period_end)"
            " from private.usage_period_totals t join auth.users a on a.id = t.user_id"
            " where a.email = %s and t.model_id = %s and t.period_end > now()",
            (USER1, IMMIGRATION),
        )[0]
        return int(row[0]), int(row[1])

    def set_org_quota_left(self, tokens: int) -> None:
        self._run(
            "update public.organizations set token_quota_monthly = token_usage_current + %s"
            " where id = %s",
            (tokens, BRIGHT_VISAS),
        )

    def expire_trial(self, org_slug: str, model_id: UUID) -> None:
        self._run(
            "update private.org_model_first_enabled f"
            " set first_enabled_at = now() - interval '400 days'"
            " from public.organizations o"
            " where o.id = f.organization_id and o.slug = %s and f.system_model_id = %s",
            (org_slug, model_id),
        )

    def org_used(self) -> int:
        return int(
            self._one(
                "select token_usage_current from public.organizations where id = %s",
                (BRIGHT_VISAS,),
            )
        )

    def terminate_service_connections(self) -> int:
        """Close the model access service's pooled connections, as a restart would."""
        return int(
            self._one(
                "select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity"
                " where application_name = 'aimodels-proxy'"
            )
        )

    def execute(self, query: str, params: tuple[object, ...] = ()) -> None:
        """A change as superuser, for a test's setting (never how the service reaches data)."""
        self._run(query, params)

    def _one(self, query: str, params: tuple[object, ...] = ()) -> Any:
        return self._all(query, params)[0][0]

    def _all(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def _run(self, query: str, params: tuple[object, ...] = ()) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(query, params)


def start_proxy(
    stack: StackInfo, run_dir: Path, *, provider_timeout: float = 60.0
) -> ServiceProcess:
    """A service of the test's own (to kill, or to time out sooner than the stack's)."""
    proxy = ServiceProcess(run_dir, "proxy", ("proxy", "serve"), free_port())
    proxy.start(
        extra_args=("--env-file", "", "--provider-timeout", str(provider_timeout)),
        env=proxy_env(stack),
    )
    return proxy


def start_provider(run_dir: Path, *, api_key: str | None = None) -> ServiceProcess:
    provider = ServiceProcess(run_dir, "dev-provider", ("provider", "serve"), free_port())
    provider.start(env={"AIMODELS_DEV_PROVIDER_KEY": api_key} if api_key else None)
    return provider
