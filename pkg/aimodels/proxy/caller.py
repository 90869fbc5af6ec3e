"""Who is calling: the Bearer token verified here, as PostgREST verifies it.

HS256 with the project's JWT secret, `exp` required and checked with PostgREST's 30 s of
clock skew, and a signed-in caller's role (`authenticated`, or an admin's or a superadmin's
role): the service serves signed-in users only (an anon or service_role token is refused, as
is a token without a subject). Any failure is a 401 in OpenAI's shape that never echoes the
token. The verified claims become the transaction's `request.jwt.claims`, so `auth.uid()`
and `auth.jwt()` see what they see behind the API.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from uuid import UUID

import jwt
from pydantic import BaseModel, ConfigDict, SecretStr
from starlette.requests import Request

from aimodels.domain.enums import SIGNED_IN_ROLES
from aimodels.proxy.errors import ErrorCode, ProxyError

ALLOWED_SKEW_SECONDS = 30


class Caller(BaseModel):
    """A verified user: the role to become, and the claims as PostgREST sets them."""

    model_config = ConfigDict(frozen=True)

    user_id: UUID
    role: str
    claims_json: str
    # The token itself: the key of per-caller caches, never logged or sent on.
    token: SecretStr


def _refused(reason: str) -> ProxyError:
    return ProxyError(ErrorCode.INVALID_API_KEY, f"invalid access token ({reason}): sign in again")


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProxyError(
            ErrorCode.INVALID_API_KEY,
            "send your Supabase access token as 'Authorization: Bearer <token>'",
        )
    return token.strip()


def verify_caller(token: str, secret: SecretStr) -> Caller:
    return _verify(token, secret)[0]


def _verify(token: str, secret: SecretStr) -> tuple[Caller, float]:
    """The caller, and when its token expires (epoch seconds)."""
    try:
        claims = jwt.decode(
            token,
            secret.get_secret_value(),
            algorithms=["HS256"],
            leeway=ALLOWED_SKEW_SECONDS,
            # GoTrue sets aud, but PostgREST checks it only when configured to: neither do we.
            options={"require": ["exp", "sub"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError:
        raise _refused("expired") from None
    except jwt.InvalidSignatureError:
        raise _refused("bad signature") from None
    except jwt.MissingRequiredClaimError as error:
        raise _refused(f"no '{error.claim}' claim") from None
    except jwt.InvalidTokenError:
        raise _refused("malformed") from None
    role = claims.get("role")
    if role not in SIGNED_IN_ROLES:
        raise _refused(f"role must be one of {', '.join(SIGNED_IN_ROLES)}")
    try:
        user_id = UUID(str(claims["sub"]))
    except ValueError:
        raise _refused("the subject is not a user id") from None
    caller = Caller(
        user_id=user_id,
        role=role,
        claims_json=json.dumps(claims, separators=(",", ":"), ensure_ascii=False),
        token=SecretStr(token),
    )
    return caller, float(claims["exp"])


class VerifiedCallers:
    """Tokens verified once, then known until they expire.

    A client sends the same token with every call, and a token that passed cannot stop
    passing but by expiring: each use checks its `exp` again (with the same 30 s of skew).
    Only tokens that passed are kept, keyed by the whole token, so a token differing in
    any byte is verified afresh.
    """

    def __init__(
        self,
        secret: SecretStr,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._max_entries = max_entries
        self._clock = clock
        self._known: dict[str, tuple[Caller, float]] = {}

    def caller(self, token: str) -> Caller:
        known = self._known.get(token)
        if known is None:
            known = _verify(token, self._secret)
            if len(self._known) >= self._max_entries:
                self._known.clear()
            self._known[token] = known
        caller, expires_at = known
        if self._clock() >= expires_at + ALLOWED_SKEW_SECONDS:
            del self._known[token]
            raise _refused("expired")
        return caller
