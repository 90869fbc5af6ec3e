"""Who a benchmark acts as, and how a transaction takes on that identity like PostgREST.

PostgREST logs in as `authenticator` and, inside each request's transaction, runs one
`select set_config(...)` that applies the role's own settings (`alter role ... set`),
switches the role and sets `request.jwt.claims` (docs/local-api.md, section 1). Benchmarks
do the same, so RLS sees exactly what it sees behind the API.
"""

from __future__ import annotations

import json
import time
from uuid import UUID
from weakref import WeakKeyDictionary

import jwt
import psycopg
from psycopg import sql
from pydantic import BaseModel, ConfigDict

from aimodels.domain.enums import Role
from aimodels.proxy.user_database import SEARCH_PATH, read_role_settings
from aimodels.stack.keys import JWT_SECRET


class Actor(BaseModel):
    """A signed-in account of the generated data."""

    model_config = ConfigDict(frozen=True)

    label: str
    user_id: UUID
    email: str
    role: Role
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
            "role": self.role.api_role,
            "aal": "aal1",
            "amr": [{"method": "password", "timestamp": now}],
            "session_id": str(self.user_id),
            "is_anonymous": False,
        }

    def access_token(self) -> str:
        """A token the gateway accepts, signed with the local development JWT secret."""
        return jwt.encode(self.claims(), JWT_SECRET, algorithm="HS256")


# The settings statement PostgREST runs (a template: use enter_statement()).
# The role's own settings go between search_path and role (see enter_statement()).
_ENTER_TEMPLATE = (
    "select set_config('search_path', {search_path}, true),{role_settings}"
    " set_config('role', {role}, true),"
    " set_config('request.jwt.claims', %s, true),"
    " set_config('request.method', %s, true)"
)

_enter_statements: WeakKeyDictionary[psycopg.Connection, dict[str, str]] = WeakKeyDictionary()


def enter_statement(conn: psycopg.Connection, role: str) -> str:
    """The settings statement for `role`, with the role's own settings read once per
    connection (as PostgREST reads them with its schema cache). Parameters: the claims
    JSON, the method."""
    statements = _enter_statements.setdefault(conn, {})
    statement = statements.get(role)
    if statement is None:
        # The role's own settings, those the login role may set, as PostgREST reads them.
        applied = "".join(
            sql.SQL(" set_config({}, {}, true),")
            .format(sql.Literal(name), sql.Literal(value))
            .as_string(None)  # quoted alike with or without a connection
            for name, value in read_role_settings(conn, role)
        )
        statement = statements[role] = _ENTER_TEMPLATE.format(
            search_path=sql.Literal(SEARCH_PATH).as_string(None),
            role_settings=applied,
            role=sql.Literal(role).as_string(None),
        )
    return statement


def enter_as(conn: psycopg.Connection, actor: Actor, *, method: str = "GET") -> None:
    """Inside the current transaction, become `actor` exactly as PostgREST would."""
    conn.execute(enter_statement(conn, actor.role.api_role), (json.dumps(actor.claims()), method))
