"""SQL on GoTrue's tables (auth.users, auth.identities, auth.sessions, auth.refresh_tokens).

Rows are written as GoTrue writes them (`internal/models`): `instance_id` is the nil UUID,
refresh tokens are 12 lowercase base32 characters, the first token of a session has no
parent, and every UPDATE also bumps `updated_at` (pop's UpdateOnly does). Callers own the
transaction: every function takes an open connection.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from collections.abc import Sequence

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from aimodels.gateway.auth.models import (
    NIL_UUID,
    IdentityRecord,
    JsonObject,
    RefreshTokenRecord,
    SessionRecord,
    UserRecord,
)

Conn = AsyncConnection[tuple[object, ...]]


def new_refresh_token() -> str:
    """crypto.SecureAlphanumeric(12): lowercase base32 of random bytes, cut to 12."""
    raw = secrets.token_bytes((12 * 5 + 7) // 8)
    return base64.b32encode(raw).decode().rstrip("=").lower()[:12]


# --- users -------------------------------------------------------------------------------


async def load_user(conn: Conn, user_id: uuid.UUID) -> UserRecord | None:
    return await _one_user(conn, "select * from auth.users where id = %s", (user_id,))


async def find_user_by_email(conn: Conn, email: str, aud: str) -> UserRecord | None:
    """models.FindUserByEmailAndAudience (SSO users excluded)."""
    return await _one_user(
        conn,
        "select * from auth.users where lower(email) = %s and aud = %s"
        " and is_sso_user = false limit 1",
        (email.lower(), aud),
    )


async def email_taken(conn: Conn, email: str, aud: str, except_user: uuid.UUID | None) -> bool:
    """models.IsDuplicatedEmail: another non-SSO user of the audience has this email."""
    async with conn.cursor() as cur:
        await cur.execute(
            "select 1 from auth.users where lower(email) = %s and aud = %s"
            " and is_sso_user = false and id is distinct from %s limit 1",
            (email.lower(), aud, except_user),
        )
        return await cur.fetchone() is not None


async def _one_user(conn: Conn, query: str, params: Sequence[object]) -> UserRecord | None:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, params)
        row = await cur.fetchone()
    if row is None:
        return None
    return await _with_identities(conn, UserRecord.model_validate(row))


async def _with_identities(conn: Conn, user: UserRecord) -> UserRecord:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "select * from auth.identities where user_id = %s order by created_at, id",
            (user.id,),
        )
        rows = await cur.fetchall()
    identities = [IdentityRecord.model_validate(row) for row in rows]
    return user.model_copy(update={"identities": identities})


async def list_users(
    conn: Conn, aud: str, *, page: int, per_page: int, filter_text: str
) -> tuple[list[UserRecord], int]:
    """models.FindUsersInAudience, newest first, offset-paginated, with the total count."""
    where = "aud = %s"
    params: list[object] = [aud]
    if filter_text:
        like = f"%{filter_text}%"
        where += " and (email like %s or raw_user_meta_data->>'full_name' ilike %s)"
        params += [like, like]
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"select count(*) as total from auth.users where {where}", params)
        counted = await cur.fetchone()
        await cur.execute(
            f"select * from auth.users where {where} order by created_at desc, id desc"
            " limit %s offset %s",
            [*params, per_page, max(page - 1, 0) * per_page],
        )
        rows = await cur.fetchall()
    users = [await _with_identities(conn, UserRecord.model_validate(row)) for row in rows]
    return users, int(counted["total"]) if counted else 0


async def insert_user(
    conn: Conn,
    *,
    user_id: uuid.UUID,
    aud: str,
    role: str,
    email: str | None,
    phone: str | None,
    password_hash: str,
    app_metadata: JsonObject,
    user_metadata: JsonObject,
    email_confirmed_at: dt.datetime | None,
    phone_confirmed_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    await conn.execute(
        "insert into auth.users (instance_id, id, aud, role, email, phone, encrypted_password,"
        " raw_app_meta_data, raw_user_meta_data, email_confirmed_at, phone_confirmed_at,"
        " created_at, updated_at, is_sso_user, is_anonymous)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, false, false)",
        (
            NIL_UUID,
            user_id,
            aud,
            role,
            email,
            phone,
            password_hash,
            Jsonb(app_metadata),
            Jsonb(user_metadata),
            email_confirmed_at,
            phone_confirmed_at,
            now,
            now,
        ),
    )


async def insert_identity(
    conn: Conn,
    *,
    user_id: uuid.UUID,
    provider: str,
    identity_data: JsonObject,
    now: dt.datetime,
) -> None:
    """models.NewIdentity: the provider id is identity_data.sub (the user id for email)."""
    await conn.execute(
        "insert into auth.identities (id, provider_id, user_id, identity_data, provider,"
        " last_sign_in_at, created_at, updated_at) values (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            uuid.uuid4(),
            str(identity_data["sub"]),
            user_id,
            Jsonb(identity_data),
            provider,
            now,
            now,
            now,
        ),
    )


async def update_identity_data(
    conn: Conn, user_id: uuid.UUID, provider: str, changes: JsonObject, now: dt.datetime
) -> bool:
    """Identity.UpdateIdentityData: merge keys into identity_data. False if no identity."""
    cur = await conn.execute(
        "update auth.identities set identity_data = identity_data || %s, updated_at = %s"
        " where user_id = %s and provider = %s",
        (Jsonb(changes), now, user_id, provider),
    )
    return cur.rowcount > 0


async def update_user_columns(
    conn: Conn, user_id: uuid.UUID, now: dt.datetime, **columns: object
) -> None:
    """UpdateOnly(user, cols...): set the named columns and updated_at."""
    names = sorted(columns)
    assignments = ", ".join(f"{name} = %s" for name in names)
    values = [
        Jsonb(columns[name]) if isinstance(columns[name], dict) else columns[name] for name in names
    ]
    await conn.execute(
        f"update auth.users set {assignments}, updated_at = %s where id = %s",
        (*values, now, user_id),
    )


async def delete_user(conn: Conn, user_id: uuid.UUID) -> None:
    """tx.Destroy(user): identities and sessions (and their refresh tokens) cascade."""
    await conn.execute("delete from auth.refresh_tokens where user_id = %s", (str(user_id),))
    await conn.execute("delete from auth.users where id = %s", (user_id,))


# --- sessions ----------------------------------------------------------------------------


async def create_session(
    conn: Conn, user_id: uuid.UUID, *, user_agent: str | None, ip: str | None, now: dt.datetime
) -> SessionRecord:
    """models.NewSession + ApplyGrantParams: aal1, no factor, the client's agent and IP."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)"
            " values (%s, %s, %s, %s, 'aal1', %s, %s) returning *",
            (uuid.uuid4(), user_id, now, now, user_agent or None, ip or None),
        )
        row = await cur.fetchone()
    assert row is not None
    return SessionRecord.model_validate(row)


async def find_session(conn: Conn, session_id: uuid.UUID) -> SessionRecord | None:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("select * from auth.sessions where id = %s", (session_id,))
        row = await cur.fetchone()
    return SessionRecord.model_validate(row) if row else None


async def record_session_refresh(
    conn: Conn,
    session_id: uuid.UUID,
    *,
    user_agent: str | None,
    ip: str | None,
    now: dt.datetime,
) -> None:
    """Session.UpdateOnlyRefreshInfo: refreshed_at is `timestamp` (UTC, no zone)."""
    await conn.execute(
        "update auth.sessions set refreshed_at = %s, user_agent = %s, ip = %s, updated_at = %s"
        " where id = %s",
        (
            now.astimezone(dt.UTC).replace(tzinfo=None),
            user_agent or None,
            ip or None,
            now,
            session_id,
        ),
    )


async def delete_sessions(
    conn: Conn,
    user_id: uuid.UUID,
    *,
    only: uuid.UUID | None = None,
    keep: uuid.UUID | None = None,
) -> None:
    """models.Logout / LogoutSession / LogoutAllExceptMe; refresh tokens cascade."""
    if only is not None:
        await conn.execute("delete from auth.sessions where id = %s", (only,))
    elif keep is not None:
        await conn.execute(
            "delete from auth.sessions where id <> %s and user_id = %s", (keep, user_id)
        )
    else:
        await conn.execute("delete from auth.sessions where user_id = %s", (user_id,))


# --- refresh tokens ----------------------------------------------------------------------


async def insert_refresh_token(
    conn: Conn,
    *,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    parent: str | None,
    now: dt.datetime,
) -> str:
    token = new_refresh_token()
    await conn.execute(
        "insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at,"
        " updated_at, parent, session_id) values (%s, %s, %s, false, %s, %s, %s, %s)",
        (NIL_UUID, token, str(user_id), now, now, parent, session_id),
    )
    return token


async def lock_refresh_token(conn: Conn, token: str) -> RefreshTokenRecord | None:
    """The token row, locked so concurrent refreshes of one token run one at a time."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "select * from auth.refresh_tokens where token = %s limit 1 for update", (token,)
        )
        row = await cur.fetchone()
    return RefreshTokenRecord.model_validate(row) if row else None


async def active_refresh_token(conn: Conn, session_id: uuid.UUID) -> RefreshTokenRecord | None:
    """Session.FindCurrentlyActiveRefreshToken: the newest unrevoked token of the session."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "select * from auth.refresh_tokens where session_id = %s and revoked is false"
            " order by id desc limit 1",
            (session_id,),
        )
        row = await cur.fetchone()
    return RefreshTokenRecord.model_validate(row) if row else None


async def revoke_refresh_token(conn: Conn, token_id: int, now: dt.datetime) -> None:
    await conn.execute(
        "update auth.refresh_tokens set revoked = true, updated_at = %s where id = %s",
        (now, token_id),
    )


async def revoke_token_family(conn: Conn, session_id: uuid.UUID) -> None:
    """models.RevokeTokenFamily for a token with a session: every live token of it."""
    await conn.execute(
        "update auth.refresh_tokens set revoked = true, updated_at = now()"
        " where session_id = %s and revoked = false",
        (session_id,),
    )


async def delete_refresh_token(conn: Conn, token_id: int) -> None:
    await conn.execute("delete from auth.refresh_tokens where id = %s", (token_id,))


async def soft_delete_user(conn: Conn, user_id: uuid.UUID, now: dt.datetime) -> None:
    """User.SoftDeleteUser (+ identities): contact details obfuscated, no password, deleted_at.

    GoTrue replaces each value by a hash of user id + value so the address can sign up again.
    """
    await conn.execute(
        "update auth.users set"
        " email = case when email is null or email = '' then email"
        "   else encode(extensions.digest(id::text || email, 'sha256'), 'hex') end,"
        " phone = case when phone is null or phone = '' then phone"
        "   else encode(extensions.digest(id::text || phone, 'sha256'), 'hex') end,"
        " encrypted_password = null, deleted_at = %s, updated_at = %s where id = %s",
        (now, now, user_id),
    )
    await conn.execute("delete from auth.identities where user_id = %s", (user_id,))
