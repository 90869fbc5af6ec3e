"""Errors in OpenAI's JSON shape: `{"error": {"message", "type", "code", "param"}}`.

One table maps each refusal to its HTTP status, so the SDKs raise their typed errors
(401 AuthenticationError, 403 PermissionDeniedError, 404 NotFoundError, 429
RateLimitError, 400 BadRequestError, 5xx InternalServerError).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import ValidationError
from starlette.responses import JSONResponse

from aimodels.proxy.wire import ErrorBody, ErrorEnvelope


class ErrorCode(StrEnum):
    INVALID_API_KEY = "invalid_api_key"
    INVALID_REQUEST = "invalid_request"
    MODEL_NOT_AVAILABLE = "model_not_available"
    MODEL_NOT_ENABLED = "model_not_enabled"
    TRIAL_EXPIRED = "trial_expired"
    USER_LIMIT_EXCEEDED = "user_limit_exceeded"
    ORG_QUOTA_EXCEEDED = "org_quota_exceeded"
    INVALID_AMOUNT = "invalid_amount"
    PERMISSION_DENIED = "permission_denied"
    PROVIDER_ERROR = "provider_error"
    PROVIDER_TIMEOUT = "provider_timeout"
    SERVICE_UNAVAILABLE = "service_unavailable"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"


# code -> (HTTP status, OpenAI error type)
_STATUS: dict[ErrorCode, tuple[int, str]] = {
    ErrorCode.INVALID_API_KEY: (401, "authentication_error"),
    ErrorCode.INVALID_REQUEST: (400, "invalid_request_error"),
    ErrorCode.INVALID_AMOUNT: (400, "invalid_request_error"),
    ErrorCode.MODEL_NOT_AVAILABLE: (404, "not_found_error"),
    ErrorCode.MODEL_NOT_ENABLED: (403, "permission_error"),
    ErrorCode.TRIAL_EXPIRED: (403, "permission_error"),
    ErrorCode.PERMISSION_DENIED: (403, "permission_error"),
    ErrorCode.USER_LIMIT_EXCEEDED: (429, "insufficient_quota"),
    ErrorCode.ORG_QUOTA_EXCEEDED: (429, "insufficient_quota"),
    ErrorCode.PROVIDER_ERROR: (502, "api_error"),
    ErrorCode.PROVIDER_TIMEOUT: (504, "api_error"),
    ErrorCode.SERVICE_UNAVAILABLE: (503, "api_error"),
    ErrorCode.IDEMPOTENCY_KEY_REUSED: (409, "invalid_request_error"),
}

# The database's refusal codes (SQLSTATE) -> ours.
SQLSTATE_CODES: dict[str, ErrorCode] = {
    "AM001": ErrorCode.MODEL_NOT_AVAILABLE,
    "AM002": ErrorCode.MODEL_NOT_ENABLED,
    "AM003": ErrorCode.TRIAL_EXPIRED,
    "AM004": ErrorCode.USER_LIMIT_EXCEEDED,
    "AM005": ErrorCode.ORG_QUOTA_EXCEEDED,
    "AM006": ErrorCode.INVALID_AMOUNT,
    "42501": ErrorCode.PERMISSION_DENIED,
}


# The admission's refusal details end with when the refused amount would fit again.
_RETRY_AT = re.compile(r"(?:period_end|reset_at)=([0-9T:. +\-]+)")


class ProxyError(Exception):
    """A refusal or failure to answer as an OpenAI error; `headers` go on the response."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return _STATUS[self.code][0]

    def body(self) -> ErrorEnvelope:
        return ErrorEnvelope(
            error=ErrorBody(
                message=self.message, type=_STATUS[self.code][1], code=self.code, param=self.param
            )
        )

    def response(self) -> JSONResponse:
        return JSONResponse(self.body().model_dump(), status_code=self.status, headers=self.headers)


def invalid_body(error: ValidationError) -> ProxyError:
    """A 400 naming the first field that broke the request's shape."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "body"
    return ProxyError(
        ErrorCode.INVALID_REQUEST, f"invalid value for '{field}': {first['msg']}", param=field
    )


def refusal(sqlstate: str, message: str | None, details: str | None) -> ProxyError | None:
    """The database's refusal (by SQLSTATE) as ours, or None for a code that is no refusal.

    The message is the database's sentence after the refusal's name; a 429 says when to
    come back and that the SDKs must not retry before.
    """
    code = SQLSTATE_CODES.get(sqlstate)
    if code is None:
        return None
    text = message or str(code)
    # "user_limit_exceeded: this would ..." -> the sentence after the code's name.
    text = text.split(": ", 1)[1] if text.startswith(f"{code}: ") else text
    headers: dict[str, str] = {}
    if code in (ErrorCode.USER_LIMIT_EXCEEDED, ErrorCode.ORG_QUOTA_EXCEEDED):
        # The SDKs retry 429s unless told not to; this refusal lasts until the period ends.
        headers = {"x-should-retry": "false", "retry-after": str(seconds_until(details))}
    return ProxyError(code, text, headers=headers)


def seconds_until(details: str | None, now: datetime | None = None) -> int:
    """Seconds until the period end named in a refusal's details; a minute when none is."""
    match = _RETRY_AT.search(details or "")
    if match is None:
        return 60
    try:
        at = datetime.fromisoformat(match.group(1).strip())
    except ValueError:
        return 60
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return max(1, math.ceil((at - (now or datetime.now(UTC))).total_seconds()))
