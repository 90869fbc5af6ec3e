"""Who is calling /auth/v1: GoTrue's requireAuthentication and requireAdminCredentials.

GoTrue parses the bearer token with golang-jwt v5 (HS256 only for the CLI's secret, no
clock leeway, `iat` not checked) and reports failures as 403 bad_jwt "invalid JWT: unable to
parse or verify signature, <golang-jwt error>"; the messages below are golang-jwt's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import JsonValue

from aimodels.gateway.auth import store
from aimodels.gateway.auth.errors import AuthError, bad_request, forbidden
from aimodels.gateway.auth.models import NIL_UUID, SessionRecord, UserRecord
from aimodels.gateway.settings import GatewaySettings
from aimodels.gateway.tokens import effective_authorization

# api.go: bearerRegexp = (?i)^bearer (\S+$)
_BEARER = re.compile(r"^bearer (\S+)$", re.IGNORECASE)
# conf.JWTConfiguration.AdminRoles default.
ADMIN_ROLES = frozenset({"service_role", "supabase_admin"})


@dataclass(frozen=True)
class Caller:
    """A verified token and, when it names them, its user and session."""

    claims: dict[str, JsonValue]
    user: UserRecord | None = None
    session: SessionRecord | None = None

    @property
    def role(self) -> str:
        role = self.claims.get("role")
        return role if isinstance(role, str) else ""

    @property
    def audiences(self) -> list[str]:
        aud = self.claims.get("aud")
        if isinstance(aud, str):
            return [aud]
        return [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []


def _bad_jwt(reason: str) -> AuthError:
    return forbidden("bad_jwt", f"invalid JWT: unable to parse or verify signature, {reason}")


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def extract_bearer_token(settings: GatewaySettings, headers: Mapping[str, str]) -> str:
    """api.extractBearerToken, on the Authorization header Kong forwards."""
    match = _BEARER.match(effective_authorization(settings, headers) or "")
    if match is None:
        raise AuthError(401, "no_authorization", "This endpoint requires a valid Bearer token")
    return match.group(1)


def parse_jwt_claims(token: str, secret: str, *, now: float | None = None) -> dict[str, JsonValue]:
    """api.parseJWTClaims with golang-jwt v5's checks and error texts."""
    parts = token.split(".")
    if len(parts) != 3:
        raise _bad_jwt("token is malformed: token contains an invalid number of segments")
    try:
        header = json.loads(_b64(parts[0]))
    except (binascii.Error, ValueError, RecursionError):
        raise _bad_jwt("token is malformed: could not base64 decode header") from None
    try:
        claims = json.loads(_b64(parts[1]))
    except (binascii.Error, ValueError, RecursionError):
        raise _bad_jwt("token is malformed: could not JSON decode claim") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise _bad_jwt("token is malformed: could not JSON decode claim")
    alg = header.get("alg")
    if alg != "HS256":
        raise _bad_jwt(f"token signature is invalid: signing method {alg} is invalid")
    try:
        signature = _b64(parts[2])
    except (binascii.Error, ValueError, RecursionError):
        raise _bad_jwt("token is malformed: could not base64 decode signature") from None
    expected = hmac.new(secret.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise _bad_jwt("token signature is invalid: signature is invalid")
    current = time.time() if now is None else now
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if isinstance(exp, int | float) and not current < exp:
        raise _bad_jwt("token has invalid claims: token is expired")
    if isinstance(nbf, int | float) and current < nbf:
        raise _bad_jwt("token has invalid claims: token is not valid yet")
    return claims


async def load_user_and_session(
    conn: store.Conn, claims: dict[str, JsonValue]
) -> tuple[UserRecord, SessionRecord | None]:
    """api.maybeLoadUserOrSession: the sub must be a live user, session_id a live session."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or sub == "":
        raise forbidden("bad_jwt", "invalid claim: missing sub claim")
    try:
        user_id = uuid.UUID(sub)
    except ValueError:
        raise bad_request("bad_jwt", "invalid claim: sub claim must be a UUID") from None
    user = await store.load_user(conn, user_id)
    if user is None:
        raise forbidden("user_not_found", "User from sub claim in JWT does not exist")
    session = None
    session_claim = claims.get("session_id")
    if isinstance(session_claim, str) and session_claim not in ("", str(NIL_UUID)):
        try:
            session_id = uuid.UUID(session_claim)
        except ValueError:
            raise forbidden("bad_jwt", "invalid claim: session_id claim must be a UUID") from None
        session = await store.find_session(conn, session_id)
        if session is None:
            raise forbidden(
                "session_not_found", "Session from session_id claim in JWT does not exist"
            )
    return user, session


async def require_authentication(
    conn: store.Conn, settings: GatewaySettings, headers: Mapping[str, str]
) -> Caller:
    """requireAuthentication: a valid token of an existing, unbanned user."""
    token = extract_bearer_token(settings, headers)
    claims = parse_jwt_claims(token, settings.jwt_secret.get_secret_value())
    user, session = await load_user_and_session(conn, claims)
    if user.banned_until is not None and user.banned_until.timestamp() > time.time():
        raise forbidden("user_banned", "User is banned")
    return Caller(claims=claims, user=user, session=session)


async def require_admin(
    conn: store.Conn, settings: GatewaySettings, headers: Mapping[str, str]
) -> Caller:
    """requireAdminCredentials + requireAdmin: a token whose role is an admin role."""
    token = extract_bearer_token(settings, headers)
    claims = parse_jwt_claims(token, settings.jwt_secret.get_secret_value())
    caller = Caller(claims=claims)
    session_claim = claims.get("session_id")
    if isinstance(session_claim, str) and session_claim not in ("", str(NIL_UUID)):
        user, session = await load_user_and_session(conn, claims)
        caller = Caller(claims=claims, user=user, session=session)
    if caller.role not in ADMIN_ROLES:
        raise forbidden("not_admin", "User not allowed")
    return caller
