"""The seed's accounts as actors that take on their identity as PostgREST does (enter_as)."""

from __future__ import annotations

import psycopg

from aimodels.bench.actors import Actor
from aimodels.domain.enums import Role


def seeded_actor(conn: psycopg.Connection, email: str) -> Actor:
    """The seeded account with this email, as its profile says (id, role, organization)."""
    row = conn.execute(
        "select p.id, p.role, p.organization_id from auth.users u"
        " join public.profiles p on p.id = u.id where u.email = %s",
        (email,),
    ).fetchone()
    if row is None:
        raise LookupError(f"no seeded account {email}")
    user_id, role, organization_id = row
    return Actor(
        label=email,
        user_id=user_id,
        email=email,
        role=Role(role),
        organization_id=organization_id,
    )
