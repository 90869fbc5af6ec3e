"""Fresh accounts for the writing benchmarks, so every run starts from a known quota state.

Made with ordinary SQL as the owner (every trigger on), in organizations of their own: an
enterprise org with one model enabled and, when asked, a per-user limit. When the benchmark
ends they are removed with everything they wrote (`bench_writers()`), so the next benchmark and
the next run read the data as it was seeded: a concurrency run alone writes about a hundred
thousand rows, which at `small` would soon outnumber the seeded log and move its statistics
and plans.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from aimodels.bench.actors import Actor
from aimodels.bench.generator import DEV_PASSWORD_HASH
from aimodels.domain.enums import Role


@dataclass(frozen=True)
class Writer:
    actor: Actor
    organization_id: uuid.UUID


def _new_org(conn: psycopg.Connection, tag: str, model: uuid.UUID, limit: int | None) -> uuid.UUID:
    org_id = uuid.uuid4()
    conn.execute(
        "insert into public.organizations (id, slug, name, type, pricing_plan)"
        " values (%s, %s, %s, 'software', 'enterprise')",
        (org_id, f"bench-writers-{tag}", f"Bench writers {tag}"),
    )
    conn.execute(
        "insert into public.org_system_model_config"
        " (organization_id, system_model_id, is_enabled_for_users, token_limit_per_user)"
        " values (%s, %s, true, %s)",
        (org_id, model, limit),
    )
    return org_id


def _new_user(conn: psycopg.Connection, org_id: uuid.UUID, tag: str) -> Actor:
    user_id = uuid.uuid4()
    email = f"writer-{tag}@bench.example.test"
    conn.execute(
        "insert into auth.users (id, instance_id, aud, role, email, encrypted_password,"
        " email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)"
        " values (%s, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',"
        ' %s, %s, now(), \'{"provider":"email","providers":["email"]}\', \'{}\', now(), now())',
        (user_id, email, DEV_PASSWORD_HASH),
    )
    conn.execute(
        "insert into public.profiles (id, organization_id, role, display_name)"
        " values (%s, %s, 'user', %s)",
        (user_id, org_id, f"writer {tag}"),
    )
    return Actor(
        label=f"writer-{tag}",
        user_id=user_id,
        email=email,
        role=Role.USER,
        organization_id=org_id,
    )


def _provision_writers(
    owner_url: str, *, count: int, model: uuid.UUID, limit_per_user: int | None = None
) -> list[Writer]:
    """`count` users, each alone in a new organization."""
    writers = []
    with psycopg.connect(owner_url) as conn:
        for _ in range(count):
            tag = uuid.uuid4().hex[:12]
            org_id = _new_org(conn, tag, model, limit_per_user)
            writers.append(Writer(_new_user(conn, org_id, tag), org_id))
    return writers


# The log is append-only even for its owner (the trigger fires always). Only here, in a bench
# database, and only for the writers' own rows, the trigger is off for one transaction; the
# ALTER's lock keeps every other session's write waiting meanwhile, so none goes unchecked.
_REMOVE_WRITERS = (
    "alter table public.ai_model_usage disable trigger ai_model_usage_append_only",
    "delete from public.ai_model_usage where user_id = any(%(users)s)",
    "alter table public.ai_model_usage enable always trigger ai_model_usage_append_only",
    "delete from private.usage_period_totals where user_id = any(%(users)s)",
    # With no usage left, deleting the auth user deletes the profile (and its holds).
    "delete from auth.users where id = any(%(users)s)",
    "delete from public.organizations where id = any(%(orgs)s)",
)


def _remove_writers(owner_url: str, writers: list[Writer]) -> None:
    """The writers, their organizations and everything they wrote, gone in one transaction."""
    if not writers:
        return
    ids = {
        "users": [w.actor.user_id for w in writers],
        "orgs": [w.organization_id for w in writers],
    }
    with psycopg.connect(owner_url) as conn:
        for statement in _REMOVE_WRITERS:
            conn.execute(statement, ids)


class BenchWriters:
    """Provisions writers for one benchmark and remembers them for their removal."""

    def __init__(self, owner_url: str) -> None:
        self._owner_url = owner_url
        self.provisioned: list[Writer] = []

    def provision(
        self, *, count: int, model: uuid.UUID, limit_per_user: int | None = None
    ) -> list[Writer]:
        writers = _provision_writers(
            self._owner_url, count=count, model=model, limit_per_user=limit_per_user
        )
        self.provisioned += writers
        return writers


@contextmanager
def bench_writers(owner_url: str) -> Iterator[BenchWriters]:
    """Writers for the duration of a benchmark: removed, with all they wrote, when it ends."""
    writers = BenchWriters(owner_url)
    try:
        yield writers
    finally:
        _remove_writers(owner_url, writers.provisioned)
