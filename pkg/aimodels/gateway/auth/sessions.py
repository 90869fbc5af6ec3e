"""Sessions and tokens: GoTrue's IssueRefreshToken, RefreshTokenGrant and GenerateAccessToken.

Refresh tokens are GoTrue's legacy kind (its default algorithm version): a row per token,
rotation revokes the used token and issues a child with `parent` = the used token. A revoked
token is still accepted when it is the parent of the session's active token (the client lost
the last response: the active token is returned, nothing new is issued) or within
`refresh_token_reuse_interval` seconds of its revocation; otherwise the whole family (the
session's live tokens) is revoked, committed, and the call fails as already used.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from aimodels.gateway.auth import store
from aimodels.gateway.auth.errors import AuthError, OAuthError, bad_request
from aimodels.gateway.auth.models import (
    AccessTokenClaims,
    AmrEntry,
    SessionRecord,
    SessionResponse,
    UserRecord,
)
from aimodels.gateway.settings import GatewaySettings
from aimodels.gateway.tokens import issue_access_token

LEGACY_TOKEN_LENGTH = 12


@dataclass(frozen=True)
class ClientInfo:
    """GrantParams.FillGrantParams: what a session records about the client."""

    user_agent: str | None
    ip: str | None


@dataclass(frozen=True)
class IssuedSession:
    response: SessionResponse
    user_id: uuid.UUID
    session_id: uuid.UUID
    refresh_token: str


def access_token_for(
    settings: GatewaySettings, user: UserRecord, session: SessionRecord, now: dt.datetime
) -> tuple[str, int]:
    """GenerateAccessToken: the signed token and its expiry (unix seconds)."""
    issued_at = int(now.timestamp())
    expires_at = issued_at + settings.jwt_expiry
    claims = AccessTokenClaims(
        iss=settings.jwt_issuer,
        sub=str(user.id),
        aud=user.aud or "",
        exp=expires_at,
        iat=issued_at,
        email=user.email or "",
        phone=user.phone or "",
        app_metadata=user.raw_app_meta_data or {},
        user_metadata=user.raw_user_meta_data or {},
        role=user.role or "",
        aal=session.aal or "aal1",
        # The session's password sign-in (GoTrue keeps it in mfa_amr_claims).
        amr=[AmrEntry(method="password", timestamp=int(session.created_at.timestamp()))],
        session_id=str(session.id),
        is_anonymous=user.is_anonymous,
    )
    return issue_access_token(settings, claims), expires_at


def _response(
    settings: GatewaySettings,
    user: UserRecord,
    session: SessionRecord,
    refresh_token: str,
    now: dt.datetime,
) -> IssuedSession:
    access_token, expires_at = access_token_for(settings, user, session, now)
    response = SessionResponse(
        access_token=access_token,
        expires_in=expires_at - int(now.timestamp()),
        expires_at=expires_at,
        refresh_token=refresh_token,
        user=user.to_json(),
    )
    return IssuedSession(response, user.id, session.id, refresh_token)


async def issue_session(
    conn: store.Conn,
    settings: GatewaySettings,
    user: UserRecord,
    client: ClientInfo,
    now: dt.datetime,
) -> IssuedSession:
    """IssueRefreshToken: new session, first refresh token, last_sign_in_at = now."""
    session = await store.create_session(
        conn, user.id, user_agent=client.user_agent, ip=client.ip, now=now
    )
    refresh_token = await store.insert_refresh_token(
        conn, user_id=user.id, session_id=session.id, parent=None, now=now
    )
    await store.update_user_columns(conn, user.id, now, last_sign_in_at=now)
    signed_in = user.model_copy(update={"last_sign_in_at": now, "updated_at": now})
    return _response(settings, signed_in, session, refresh_token, now)


async def refresh_session(
    conn: store.Conn,
    settings: GatewaySettings,
    refresh_token: str,
    client: ClientInfo,
    now: dt.datetime,
) -> IssuedSession | AuthError:
    """RefreshTokenGrant. Returns (not raises) the error that must be committed with."""
    if refresh_token == "":
        raise OAuthError("invalid_request", "refresh_token required")
    not_found = bad_request(
        "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found"
    )
    if len(refresh_token) != LEGACY_TOKEN_LENGTH:
        raise not_found
    token = await store.lock_refresh_token(conn, refresh_token)
    if token is None:
        raise not_found
    user = await store.load_user(conn, uuid.UUID(token.user_id))
    if user is None:
        raise not_found
    if user.is_banned(now):
        raise bad_request("user_banned", "Invalid Refresh Token: User Banned")
    session = await store.find_session(conn, token.session_id) if token.session_id else None
    if session is None:
        await store.delete_refresh_token(conn, token.id)
        return bad_request("session_not_found", "Invalid Refresh Token: No Valid Session Found")
    if session.not_after is not None and now >= session.not_after:
        raise bad_request("session_expired", "Invalid Refresh Token: Session Expired")

    issued: str | None = None
    if token.revoked:
        active = await store.active_refresh_token(conn, session.id)
        if active is not None and active.parent == token.token:
            issued = active.token  # the client never stored the last refresh: give it again
        else:
            reuse_until = token.updated_at + dt.timedelta(
                seconds=settings.refresh_token_reuse_interval
            )
            if now > reuse_until:
                await store.revoke_token_family(conn, session.id)
                return bad_request(
                    "refresh_token_already_used", "Invalid Refresh Token: Already Used"
                )
    if issued is None:
        # GrantRefreshTokenSwap: revoke the used token, issue its child.
        await store.revoke_refresh_token(conn, token.id, now)
        issued = await store.insert_refresh_token(
            conn, user_id=user.id, session_id=session.id, parent=token.token, now=now
        )
        await store.update_user_columns(conn, user.id, now, last_sign_in_at=now)
        user = user.model_copy(update={"last_sign_in_at": now, "updated_at": now})
    await store.record_session_refresh(
        conn, session.id, user_agent=client.user_agent, ip=client.ip, now=now
    )
    return _response(settings, user, session, issued, now)
