"""The token columns of auth.users that the email flows use, as GoTrue keeps them.

confirmation_token (signup, invite), recovery_token (magic link, recovery) and the two
email_change tokens hold sha224 hashes; each *_sent_at starts the token's lifetime
(otp_expiry) and the resend interval (max_frequency). A verified token is cleared at once,
so every link and code works a single time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from psycopg.rows import dict_row
from pydantic import BaseModel, ConfigDict

from aimodels.gateway.auth import store


class TokenColumn(StrEnum):
    CONFIRMATION = "confirmation_token"
    RECOVERY = "recovery_token"
    EMAIL_CHANGE_NEW = "email_change_token_new"
    EMAIL_CHANGE_CURRENT = "email_change_token_current"


SENT_AT = {
    TokenColumn.CONFIRMATION: "confirmation_sent_at",
    TokenColumn.RECOVERY: "recovery_sent_at",
    TokenColumn.EMAIL_CHANGE_NEW: "email_change_sent_at",
    TokenColumn.EMAIL_CHANGE_CURRENT: "email_change_sent_at",
}


class TokenState(BaseModel):
    """The token columns of one user."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    email: str | None = None
    confirmation_token: str | None = None
    confirmation_sent_at: dt.datetime | None = None
    recovery_token: str | None = None
    recovery_sent_at: dt.datetime | None = None
    email_change: str | None = None
    email_change_token_new: str | None = None
    email_change_token_current: str | None = None
    email_change_sent_at: dt.datetime | None = None
    email_change_confirm_status: int | None = 0

    def token(self, column: TokenColumn) -> str:
        return str(getattr(self, column.value) or "")

    def sent_at(self, column: TokenColumn) -> dt.datetime | None:
        value = getattr(self, SENT_AT[column])
        return value if isinstance(value, dt.datetime) else None


_COLUMNS = (
    "id, email, confirmation_token, confirmation_sent_at, recovery_token, recovery_sent_at,"
    " email_change, email_change_token_new, email_change_token_current, email_change_sent_at,"
    " email_change_confirm_status"
)


async def load_state(conn: store.Conn, user_id: uuid.UUID) -> TokenState | None:
    """The user's token columns, locked: two verifications of one token run one at a time."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"select {_COLUMNS} from auth.users where id = %s for update", (user_id,))
        row = await cur.fetchone()
    return TokenState.model_validate(row) if row else None


async def find_by_token(conn: store.Conn, column: TokenColumn, hashed: str) -> TokenState | None:
    """models.FindUserBy*Token: the user whose column holds this hash (never an empty one)."""
    if not hashed:
        return None
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"select {_COLUMNS} from auth.users where {column.value} = %s"
            " and is_sso_user = false limit 1 for update",
            (hashed,),
        )
        row = await cur.fetchone()
    return TokenState.model_validate(row) if row else None


async def store_token(
    conn: store.Conn, user_id: uuid.UUID, column: TokenColumn, hashed: str, now: dt.datetime
) -> None:
    await store.update_user_columns(
        conn, user_id, now, **{column.value: hashed, SENT_AT[column]: now}
    )


async def clear_token(
    conn: store.Conn, user_id: uuid.UUID, column: TokenColumn, now: dt.datetime
) -> None:
    await store.update_user_columns(conn, user_id, now, **{column.value: ""})


async def confirm_email(conn: store.Conn, user_id: uuid.UUID, now: dt.datetime) -> None:
    """User.Confirm: confirmed now, confirmation token spent, the identity's email verified."""
    await store.update_user_columns(
        conn, user_id, now, email_confirmed_at=now, confirmation_token=""
    )
    await store.update_identity_data(conn, user_id, "email", {"email_verified": True}, now)


async def apply_email_change(conn: store.Conn, state: TokenState, now: dt.datetime) -> None:
    """User.ConfirmEmailChange: the new address replaces the old, every change token spent."""
    new_email = state.email_change or ""
    await store.update_user_columns(
        conn,
        state.id,
        now,
        email=new_email,
        email_change="",
        email_change_token_new="",
        email_change_token_current="",
        email_change_confirm_status=0,
    )
    await store.update_identity_data(
        conn, state.id, "email", {"email": new_email, "email_verified": True}, now
    )
