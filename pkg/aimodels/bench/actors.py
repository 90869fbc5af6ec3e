"""Who a benchmark acts as, and how a transaction takes on that identity like PostgREST.

PostgREST logs in as `authenticator` and, inside each request's transaction, runs one
`select set_config(...)` that switches the role and sets `request.jwt.claims` (docs/local-api.md,
section 1). Benchmarks do the same, so RLS sees exactly what it sees behind the API.
"""

from __future__ import annotations

import json
import time
from enum import StrEnum
from uuid import UUID

import jwt
import psycopg
from pydantic import BaseModel, ConfigDict

from aimodels.stack.keys import JWT_SECRET


class ActorRole(StrEnum):
    SUPERADMIN = "superadmin"
    ADMIN = "admin"
    USER = "user"


class Actor(BaseModel):
    """A signed-in account of the generated data."""

    model_config = ConfigDict(frozen=True)

    label: str
    user_id: UUID
    email: str
    role: ActorRole
    organization_id: UUID | None

    def claims(self) -> dict[str, object]:
        """The access-token claims GoTrue issues (docs/local-api.md, "GoTrue")."""
        now = int(time.time())
        return {
            "aud": "authenticated",
            "exp": now + 3600,
            "iat": now,
            "iss": "http://127.0.0.1:54321/auth/v1",
            "sub": str(self.user_id),
            "email": self.email,
            "phone": "",
            "app_metadata": {"provider": "email", "providers": ["email"]},
            "user_metadata": {},
            "role": "authenticated",
            "aal": "aal1",
            "amr": [{"method": "password", "timestamp": now}],
            "session_id": str(self.user_id),
            "is_anonymous": False,
        }

    def access_token(self) -> str:
        """A token the gateway accepts, signed with the local development JWT secret."""
        return jwt.encode(self.claims(), JWT_SECRET, algorithm="HS256")


# The settings statement PostgREST runs; a benchmark may send it inside a larger message.
ENTER = (
    "select set_config('search_path', '\"public\", \"extensions\"', true),"
    " set_config('role', 'authenticated', true),"
    " set_config('request.jwt.claims', %s, true),"
    " set_config('request.method', %s, true)"
)


def enter_as(conn: psycopg.Connection, actor: Actor, *, method: str = "GET") -> None:
    """Inside the current transaction, become `actor` exactly as PostgREST would."""
    conn.execute(ENTER, (json.dumps(actor.claims()), method))
