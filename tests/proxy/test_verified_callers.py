"""Tokens verified once are known until they expire; nothing else is remembered."""

from __future__ import annotations

import jwt
import pytest
from pydantic import SecretStr

from aimodels.proxy.caller import ALLOWED_SKEW_SECONDS, VerifiedCallers
from aimodels.proxy.errors import ProxyError

SECRET = "a-test-secret-of-at-least-thirty-two-characters"
USER_ID = "00000000-0000-0000-0002-000000000021"
NOW = 1_900_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def _token(expires_at: float, secret: str = SECRET) -> str:
    claims = {"sub": USER_ID, "role": "authenticated", "exp": int(expires_at)}
    return jwt.encode(claims, secret, "HS256")


def _refusal(callers: VerifiedCallers, token: str) -> str:
    with pytest.raises(ProxyError) as raised:
        callers.caller(token)
    return raised.value.message


def test_a_known_token_stops_passing_when_it_expires() -> None:
    clock = Clock()
    callers = VerifiedCallers(SecretStr(SECRET), clock=clock)
    token = _token(NOW + 60)
    assert str(callers.caller(token).user_id) == USER_ID
    clock.now = NOW + 60 + ALLOWED_SKEW_SECONDS - 1
    assert str(callers.caller(token).user_id) == USER_ID, "within the allowed skew"
    clock.now = NOW + 60 + ALLOWED_SKEW_SECONDS
    assert "expired" in _refusal(callers, token)


def test_a_token_that_failed_is_refused_every_time() -> None:
    callers = VerifiedCallers(SecretStr(SECRET), clock=Clock())
    forged = _token(NOW + 60, secret="another-secret-of-at-least-32-characters!")
    for _ in range(2):
        assert "bad signature" in _refusal(callers, forged)


def test_a_token_differing_in_one_byte_is_verified_afresh() -> None:
    callers = VerifiedCallers(SecretStr(SECRET), clock=Clock())
    token = _token(NOW + 60)
    callers.caller(token)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert "bad signature" in _refusal(callers, tampered)
