"""POST /token: the password and refresh_token grants (GoTrue `internal/api/token.go`)."""

from __future__ import annotations

import datetime as dt

from pydantic import JsonValue
from starlette.requests import Request
from starlette.responses import Response

from aimodels.gateway.auth import store
from aimodels.gateway.auth.errors import (
    AuthError,
    WeakPasswordError,
    bad_request,
    json_response,
    unprocessable,
)
from aimodels.gateway.auth.params import (
    PasswordGrantParams,
    RefreshTokenGrantParams,
    parse_body,
)
from aimodels.gateway.auth.passwords import (
    check_password_strength,
    verify_password,
)
from aimodels.gateway.auth.sessions import ClientInfo, IssuedSession, issue_session, refresh_session
from aimodels.gateway.settings import GatewaySettings

AUDIENCE = "authenticated"
INVALID_LOGIN = "Invalid login credentials"


def client_info(request: Request) -> ClientInfo:
    """GrantParams.FillGrantParams: User-Agent and the client's IP (X-Forwarded-For first)."""
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    ip = forwarded or (request.client.host if request.client else None)
    return ClientInfo(user_agent=request.headers.get("user-agent"), ip=ip)


async def token(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    grant_type = request.query_params.get("grant_type", "")
    now = dt.datetime.now(dt.UTC)
    if grant_type == "password":
        issued = await password_grant(request, conn, settings, now)
    elif grant_type == "refresh_token":
        params = parse_body(await request.body(), RefreshTokenGrantParams)
        outcome = await refresh_session(
            conn, settings, params.refresh_token or "", client_info(request), now
        )
        if isinstance(outcome, AuthError):
            return outcome
        issued = outcome
    else:
        raise bad_request("invalid_credentials", "unsupported_grant_type")
    return _session_response(issued)


async def password_grant(
    request: Request, conn: store.Conn, settings: GatewaySettings, now: dt.datetime
) -> IssuedSession:
    """ResourceOwnerPasswordGrant for email sign-in (phone logins are off in the CLI)."""
    params = parse_body(await request.body(), PasswordGrantParams)
    email, phone, password = params.email or "", params.phone or "", params.password or ""
    if email and phone:
        raise bad_request(
            "validation_failed",
            "Only an email address or phone number should be provided on login.",
        )
    if phone:
        raise unprocessable("phone_provider_disabled", "Phone logins are disabled")
    if not email:
        raise bad_request("validation_failed", "missing email or phone")
    invalid = bad_request("invalid_credentials", INVALID_LOGIN)
    user = await store.find_user_by_email(conn, email, AUDIENCE)
    if user is None or not user.has_password:
        raise invalid
    if user.is_banned(now):
        raise bad_request("user_banned", "User is banned")
    if not await verify_password(password, user.encrypted_password):
        raise invalid
    if user.email_confirmed_at is None:
        raise bad_request("email_not_confirmed", "Email not confirmed")
    issued = await issue_session(conn, settings, user, client_info(request), now)
    try:
        check_password_strength(password, settings.password_min_length)
    except WeakPasswordError as weak:
        # Sign-in still succeeds; the client is told the password is weak.
        reasons: list[JsonValue] = [*weak.reasons]
        issued.response.weak_password = {"message": weak.message, "reasons": reasons}
    return issued


def _session_response(issued: IssuedSession) -> Response:
    headers = {
        "sb-auth-user-id": str(issued.user_id),
        "sb-auth-session-id": str(issued.session_id),
        "sb-auth-refresh-token-prefix": issued.refresh_token[:5],
    }
    body = issued.response.model_dump(mode="json", exclude_none=True)
    return json_response(200, body, headers)
