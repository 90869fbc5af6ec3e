"""Fresh accounts for the writing benchmarks, so every run starts from a known quota state.

Made with ordinary SQL as the owner (every trigger on), in organizations of their own: an
enterprise org with one model enabled and, when asked, a per-user limit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import psycopg

from aimodels.bench.actors import Actor, ActorRole
from aimodels.bench.generator import DEV_PASSWORD_HASH


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
        role=ActorRole.USER,
        organization_id=org_id,
    )


def provision_writers(
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
