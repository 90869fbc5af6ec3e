"""GoTrue's errors and how it renders them (`internal/api/errors.go`, `apierrors/`).

A request carrying `X-Supabase-Api-Version: 2024-01-01` (or later; supabase-py always sends
it) gets `{"code": "<error_code>", "message": ...}` and the version echoed in the response
headers; others get the legacy `{"code": <status>, "error_code": ..., "msg": ...}`. Both get
`x-sb-error-code`. OAuth-style errors are always `{"error", "error_description"}` with 400.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from starlette.responses import Response

API_VERSION_HEADER = "X-Supabase-Api-Version"
API_VERSION_2024_01_01 = dt.date(2024, 1, 1)


class AuthError(Exception):
    """An HTTPError of GoTrue: status, error code (ErrorCode*) and message."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message


class WeakPasswordError(AuthError):
    """422 weak_password, with the reasons the client shows."""

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(422, "weak_password", message)
        self.reasons = reasons


class OAuthError(Exception):
    """GoTrue's OAuthError: always 400 `{"error", "error_description"}`."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def bad_request(error_code: str, message: str) -> AuthError:
    return AuthError(400, error_code, message)


def forbidden(error_code: str, message: str) -> AuthError:
    return AuthError(403, error_code, message)


def not_found(error_code: str, message: str) -> AuthError:
    return AuthError(404, error_code, message)


def unprocessable(error_code: str, message: str) -> AuthError:
    return AuthError(422, error_code, message)


def _requested_version(headers: Mapping[str, str]) -> dt.date | None:
    """DetermineClosestAPIVersion: None is the initial (legacy) version."""
    raw = headers.get(API_VERSION_HEADER.lower()) or headers.get(API_VERSION_HEADER) or ""
    try:
        parsed = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        parsed = None
    return API_VERSION_2024_01_01 if parsed and parsed >= API_VERSION_2024_01_01 else None


def json_response(status: int, body: object, headers: Mapping[str, str] | None = None) -> Response:
    """Go's json.Marshal output: compact, HTML-safe escaping aside."""
    return Response(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status_code=status,
        headers=dict(headers or {}),
        media_type="application/json",
    )


def render_error(error: AuthError | OAuthError, request_headers: Mapping[str, str]) -> Response:
    if isinstance(error, OAuthError):
        return json_response(400, {"error": error.error, "error_description": error.description})
    version = _requested_version(request_headers)
    headers = {"x-sb-error-code": error.error_code}
    body: dict[str, object]
    if version is not None:
        headers[API_VERSION_HEADER] = version.isoformat()
        body = {"code": error.error_code, "message": error.message}
    else:
        body = {"code": error.status, "error_code": error.error_code, "msg": error.message}
    if isinstance(error, WeakPasswordError):
        body["weak_password"] = {"reasons": error.reasons}
    return json_response(error.status, body, headers)


def unexpected_failure() -> AuthError:
    return AuthError(
        500,
        "unexpected_failure",
        "Unexpected failure, please check server logs for more information",
    )
