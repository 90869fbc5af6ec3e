"""GoTrue's rate limits: a token bucket per endpoint group and client IP (tollbooth).

Each limit of [auth.rate_limit] is a bucket holding `n` requests that refills at n per
window (5 minutes for requests, an hour for emails), so a burst of n passes and the
(n + 1)th answers GoTrue's 429. The gateway is the edge (Kong's place in the CLI's stack),
so the key is the peer address: a client-supplied X-Forwarded-For cannot buy new buckets.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from aimodels.gateway.auth.config import RateLimitSettings
from aimodels.gateway.auth.errors import AuthError

FIVE_MINUTES = 300.0
ONE_HOUR = 3600.0
# Buckets kept at most (least recently used dropped): memory stays bounded under IP floods.
MAX_BUCKETS = 100_000


class Limit(StrEnum):
    """The endpoint groups GoTrue limits separately."""

    SIGN_IN = "sign_in"  # password grant
    SIGN_UP = "sign_up"  # POST /signup
    OTP = "otp"  # POST /otp
    RECOVER = "recover"  # POST /recover
    RESEND = "resend"  # POST /resend
    USER = "user"  # PUT /user (it may send email-change mail)
    TOKEN_REFRESH = "token_refresh"  # refresh_token grant
    VERIFY = "verify"  # GET/POST /verify
    EMAIL_SENT = "email_sent"  # every email the mailer sends, one bucket for all


def request_rate_limited() -> AuthError:
    return AuthError(429, "over_request_rate_limit", "Request rate limit reached")


def email_rate_limited() -> AuthError:
    return AuthError(429, "over_email_send_rate_limit", "email rate limit exceeded")


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """All buckets of one gateway process (state lives as long as the app)."""

    def __init__(
        self, settings: RateLimitSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._buckets: OrderedDict[tuple[Limit, str], _Bucket] = OrderedDict()

    def _capacity(self, limit: Limit) -> tuple[float, float] | None:
        """(requests allowed, refill window in seconds), or None when not limited."""
        s = self._settings
        match limit:
            case Limit.TOKEN_REFRESH:
                return float(s.token_refresh), FIVE_MINUTES
            case Limit.VERIFY:
                return float(s.token_verifications), FIVE_MINUTES
            case Limit.EMAIL_SENT:
                return (float(s.email_sent), ONE_HOUR) if s.email_sent is not None else None
            case _:
                return float(s.sign_in_sign_ups), FIVE_MINUTES

    def allow(self, limit: Limit, key: str) -> bool:
        """Take one request from the bucket; False when it is empty."""
        capacity = self._capacity(limit) if self._settings.enabled else None
        if capacity is None:
            return True
        size, window = capacity
        now = self._clock()
        bucket = self._buckets.pop((limit, key), None) or _Bucket(tokens=size, updated=now)
        bucket.tokens = min(size, bucket.tokens + (now - bucket.updated) * size / window)
        bucket.updated = now
        self._buckets[(limit, key)] = bucket
        while len(self._buckets) > MAX_BUCKETS:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def check(self, limit: Limit, key: str) -> None:
        """Raise GoTrue's 429 when the client's bucket for this endpoint group is empty."""
        if not self.allow(limit, key):
            raise request_rate_limited()

    def check_email(self) -> None:
        if not self.allow(Limit.EMAIL_SENT, "*"):
            raise email_rate_limited()
