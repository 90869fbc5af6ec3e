"""Passwords as GoTrue stores them: bcrypt, cost 10, `$2a$` prefix (Go's x/crypto/bcrypt).

`$2a$` and `$2b$` are the same algorithm for passwords under 72 bytes (GoTrue refuses longer
ones), so hashes written by either side verify on both.
"""

from __future__ import annotations

import asyncio
import secrets
import string

import bcrypt

from aimodels.gateway.auth.errors import AuthError, WeakPasswordError

BCRYPT_COST = 10
MAX_PASSWORD_LENGTH = 72


def _hash(password: str) -> str:
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_COST)).decode()
    return "$2a$" + hashed[4:] if hashed.startswith("$2b$") else hashed


def _verify(password: str, encrypted: str) -> bool:
    if not encrypted.startswith(("$2a$", "$2b$", "$2y$")):
        return False
    candidate = password.encode()
    if len(candidate) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return bcrypt.checkpw(candidate, ("$2b$" + encrypted[4:]).encode())
    except ValueError:
        return False


async def hash_password(password: str) -> str:
    """bcrypt is deliberately slow; keep it off the event loop."""
    return await asyncio.to_thread(_hash, password)


async def verify_password(password: str, encrypted: str | None) -> bool:
    if not encrypted:
        return False
    return await asyncio.to_thread(_verify, password, encrypted)


def check_password_strength(password: str, min_length: int) -> None:
    """api.checkPasswordStrength without HIBP or required characters (the CLI's defaults)."""
    size = len(password.encode())  # Go counts bytes
    if size > MAX_PASSWORD_LENGTH:
        raise AuthError(
            400,
            "validation_failed",
            f"Password cannot be longer than {MAX_PASSWORD_LENGTH} characters",
        )
    if size < min_length:
        raise WeakPasswordError(f"Password should be at least {min_length} characters.", ["length"])


def random_password() -> str:
    """password.Generate(64, 10, 0, false, true): 64 letters and digits, for accounts that
    get no password of their own (invited, magic-link sign-ups, admin-created)."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(64))
