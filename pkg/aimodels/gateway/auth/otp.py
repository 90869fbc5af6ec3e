"""One-time codes and link tokens as GoTrue makes and stores them (`internal/crypto`).

The email carries a numeric code and a link; the database keeps only
sha224(email + code) in hex, and the link's `token` is that hash, so a leaked table row
cannot be typed in as a code.
"""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlencode


def generate_otp(length: int) -> str:
    """crypto.GenerateOtp: `length` random decimal digits."""
    return "".join(secrets.choice("0123456789") for _ in range(length))


def token_hash(email: str, otp: str) -> str:
    """crypto.GenerateTokenHash: hex sha224 of the address followed by the code."""
    return hashlib.sha224((email + otp).encode()).hexdigest()


def action_link(external_url: str, hashed: str, action: str, redirect_to: str) -> str:
    """The email's link: GET {external}/verify?token=<hash>&type=<action>&redirect_to=..."""
    query = urlencode({"token": hashed, "type": action, "redirect_to": redirect_to})
    return f"{external_url.rstrip('/')}/verify?{query}"
