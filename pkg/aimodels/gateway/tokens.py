"""API keys and JWTs: what role a request runs as, decided exactly as Kong + PostgREST do.

Two steps, in the order the real stack applies them:

1. `effective_authorization` is the CLI's Kong `request-transformer` rule (the CLI's kong.yml): a
   client's own `Authorization` is kept unless it is `Bearer sb_...`; otherwise the opaque
   `apikey` (sb_secret / sb_publishable) is swapped for the service_role / anon JWT, and any
   other `apikey` value is copied as is.
2. `resolve_request_claims` is PostgREST's `Auth/Jwt.hs`: HS256 with the shared secret,
   +-30 s clock skew on exp/nbf/iat, errors PGRST301/PGRST303 with PostgREST's messages;
   no bearer token means the anon role with claims {"role": "anon"}.

`issue_access_token` signs the tokens the auth side hands out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from functools import cached_property, lru_cache

import jwt as pyjwt
from pydantic import BaseModel, ConfigDict, JsonValue

from aimodels.gateway.bounded_cache import BoundedCache
from aimodels.gateway.settings import GatewaySettings

ALLOWED_SKEW_SECONDS = 30
# `S.break isSpace`: the scheme runs to the first whitespace.
_SCHEME = re.compile(r"(\S*)(.*)", re.DOTALL)


class JwtError(Exception):
    """A token PostgREST would reject: 401 with its code, message and details."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    @property
    def www_authenticate(self) -> str:
        """The header PostgREST adds (`invalidTokenHeader`); `show` quotes the message."""
        return f'Bearer error="invalid_token", error_description={json.dumps(self.message)}'


class RequestClaims(BaseModel):
    """The role a request runs as and the claims PostgREST puts in `request.jwt.claims`."""

    model_config = ConfigDict(frozen=True)

    role: str
    # The verified claims with "role" inserted, as PostgREST sets them.
    claims: dict[str, JsonValue]
    # True when a bearer token was presented (even one whose role is anon).
    has_token: bool = False

    @cached_property
    def claims_json(self) -> str:
        """Compact JSON text for `set_config('request.jwt.claims', ...)`."""
        return json.dumps(self.claims, separators=(",", ":"), ensure_ascii=False)

    def claim_str(self, name: str) -> str | None:
        """A string claim, or None when absent or of another type."""
        value = self.claims.get(name)
        return value if isinstance(value, str) else None


def _secret_value(key: object) -> str | None:
    get = getattr(key, "get_secret_value", None)
    return get() if get is not None else None


def effective_authorization(settings: GatewaySettings, headers: Mapping[str, str]) -> str | None:
    """The Authorization header the upstream servers see, after Kong's rewrite.

    The CLI's Lua expression, verbatim in spirit:
    (authorization ~= nil and authorization:sub(1, 10) ~= 'Bearer sb_' and authorization)
    or (apikey == secret and 'Bearer ' .. service_role_jwt)
    or (apikey == publishable and 'Bearer ' .. anon_jwt) or apikey
    """
    authorization = headers.get("authorization")
    apikey = headers.get("apikey")
    if authorization is not None and authorization[:10] != "Bearer sb_":
        return authorization
    secret = _secret_value(settings.secret_key)
    publishable = _secret_value(settings.publishable_key)
    if apikey is not None and secret is not None and hmac.compare_digest(apikey, secret):
        return f"Bearer {settings.service_role_key.get_secret_value()}"
    if apikey is not None and publishable is not None and hmac.compare_digest(apikey, publishable):
        return f"Bearer {settings.anon_key.get_secret_value()}"
    return apikey


def bearer_token(authorization: str | None) -> str | None:
    """wai-extra's `extractBearerAuth`: scheme `bearer` (any case), then the rest, left-trimmed."""
    if authorization is None:
        return None
    scheme, rest = _SCHEME.match(authorization).groups()  # type: ignore[union-attr]
    if scheme.lower() != "bearer":
        return None
    return rest.lstrip()


def _b64url_decode(segment: str) -> bytes:
    padded = segment + "=" * (-len(segment) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def _decode_error(message: str, details: str | None = None) -> JwtError:
    return JwtError(401, "PGRST301", message, details)


def _claims_error(message: str) -> JwtError:
    return JwtError(401, "PGRST303", message)


def decode_postgrest_jwt(token: str, secret: str) -> dict[str, JsonValue]:
    """Verify a token as PostgREST's `parseToken` + `decodeClaims` do; return its claims."""
    if token == "":
        raise _decode_error("Empty JWT is sent in Authorization header")
    parts = token.split(".")
    if len(parts) != 3:
        raise _decode_error(f"Expected 3 parts in JWT; got {len(parts)}")
    header_b64, payload_b64, signature_b64 = parts
    try:
        header = json.loads(_b64url_decode(header_b64))
        signature = _b64url_decode(signature_b64)
    except (ValueError, RecursionError, binascii.Error, UnicodeDecodeError):
        raise _decode_error("JWT cryptographic operation failed") from None
    if not isinstance(header, dict):
        raise _decode_error("JWT cryptographic operation failed")
    if header.get("alg") == "none":
        raise _decode_error(
            "Wrong or unsupported encoding algorithm",
            "JWT is unsecured but expected 'alg' was not 'none'",
        )
    # The only key is an HS256 secret: any other alg, or a bad signature, finds no key.
    expected = hmac.new(
        secret.encode(), f"{header_b64}.{payload_b64}".encode("ascii"), hashlib.sha256
    ).digest()
    if header.get("alg") != "HS256" or not hmac.compare_digest(expected, signature):
        raise _decode_error(
            "No suitable key or wrong key type", "None of the keys was able to decode the JWT"
        )
    try:
        claims = json.loads(_b64url_decode(payload_b64))
    except (ValueError, RecursionError, binascii.Error, UnicodeDecodeError):
        raise _claims_error("Parsing claims failed") from None
    if not isinstance(claims, dict):
        raise _claims_error("Parsing claims failed")
    return claims


def _as_seconds(value: JsonValue) -> int | None:
    """Aeson Scientific -> toBoundedInteger, defaulting to 0; None when not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else 0


def validate_claims(claims: Mapping[str, JsonValue], now: int) -> None:
    """PostgREST's `checkForErrors`: the first failing check of exp, nbf, iat, aud wins."""
    checks = (
        ("exp", lambda t: now - ALLOWED_SKEW_SECONDS > t, "JWT expired"),
        ("nbf", lambda t: now + ALLOWED_SKEW_SECONDS < t, "JWT not yet valid"),
        ("iat", lambda t: now + ALLOWED_SKEW_SECONDS < t, "JWT issued at future"),
    )
    for name, failed, message in checks:
        value = claims.get(name)
        if value is None:
            continue
        seconds = _as_seconds(value)
        if seconds is None:
            raise _claims_error(f"The JWT '{name}' claim must be a number")
        if failed(seconds):
            raise _claims_error(message)
    aud = claims.get("aud")
    aud_ok = aud is None or isinstance(aud, str)
    aud_ok = aud_ok or (isinstance(aud, list) and all(isinstance(a, str) for a in aud))
    if not aud_ok:
        raise _claims_error("The JWT 'aud' claim must be a string or an array of strings")


def _role_of(claims: Mapping[str, JsonValue], anon_role: str) -> str:
    if "role" not in claims:
        return anon_role
    role = claims["role"]
    return role if isinstance(role, str) else json.dumps(role, separators=(",", ":"))


def resolve_request_claims(
    settings: GatewaySettings, headers: Mapping[str, str], *, now: int | None = None
) -> RequestClaims:
    """The role and claims for one API request (Kong rewrite, then PostgREST's JWT rules).

    `headers` must be case-insensitive (Starlette's Headers) or have lowercased names.
    Raises JwtError for a token PostgREST would reject.
    """
    token = bearer_token(effective_authorization(settings, headers))
    if token is None:
        return _anon_claims(settings.anon_role)
    claims, resolved = _verified_token(
        token, settings.jwt_secret.get_secret_value(), settings.anon_role
    )
    # Time-based checks run on every request; only the signature check is remembered.
    validate_claims(claims, int(time.time()) if now is None else now)
    return resolved


_Verified = tuple[Mapping[str, JsonValue], RequestClaims]


@lru_cache(maxsize=16)
def _anon_claims(anon_role: str) -> RequestClaims:
    return RequestClaims(role=anon_role, claims={"role": anon_role})


# A client sends the same token on every request until it refreshes it: remember what its
# signature check and parsing gave (a verified token's claims never change). Failures are
# not remembered, so a bad token is rejected the same way every time. Bounded in bytes too:
# tokens carry user metadata, so 4096 of them could otherwise hold gigabytes.
VERIFIED_TOKENS_MAX_ENTRIES = 4096
VERIFIED_TOKENS_MAX_BYTES = 8 * 1024 * 1024
_verified_tokens: BoundedCache[tuple[str, str, str], _Verified] = BoundedCache(
    max_entries=VERIFIED_TOKENS_MAX_ENTRIES, max_bytes=VERIFIED_TOKENS_MAX_BYTES
)


def _verified_token(token: str, secret: str, anon_role: str) -> _Verified:
    key = (token, secret, anon_role)
    cached = _verified_tokens.get(key)
    if cached is not None:
        return cached
    claims = decode_postgrest_jwt(token, secret)
    role = _role_of(claims, anon_role)
    resolved = RequestClaims(role=role, claims={**claims, "role": role}, has_token=True)
    # The token, its parsed claims and their JSON text: each about the token's size.
    _verified_tokens.put(key, (claims, resolved), cost=3 * len(token) + 256)
    return claims, resolved


def verified_tokens_cache() -> BoundedCache[tuple[str, str, str], _Verified]:
    """The process-wide cache, for tests and diagnostics."""
    return _verified_tokens


def issue_access_token(settings: GatewaySettings, claims: BaseModel) -> str:
    """Sign claims as GoTrue does for the CLI's symmetric secret: HS256, typ JWT."""
    payload = claims.model_dump(mode="json", exclude_none=False)
    return pyjwt.encode(
        payload,
        settings.jwt_secret.get_secret_value(),
        algorithm="HS256",
        headers={"typ": "JWT"},
    )
