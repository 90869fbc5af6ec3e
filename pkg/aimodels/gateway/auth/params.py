"""Request bodies GoTrue accepts, parsed as Go's json.Unmarshal would (unknown keys ignored,
JSON null leaves the zero value, a wrong type is a 400 bad_json)."""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError

from aimodels.gateway.auth.errors import AuthError, bad_request

Params = TypeVar("Params", bound=BaseModel)

# checkmail.ValidateFormat's pattern (github.com/badoux/checkmail).
_EMAIL = re.compile(
    r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$"
)
_E164 = re.compile(r"^[1-9]\d{1,14}$")


class _GoBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class PasswordGrantParams(_GoBody):
    email: str | None = None
    phone: str | None = None
    password: str | None = None


class RefreshTokenGrantParams(_GoBody):
    refresh_token: str | None = None


class UserUpdateParams(_GoBody):
    email: str | None = None
    password: str | None = None
    nonce: str | None = None
    data: dict[str, JsonValue] | None = None
    app_metadata: dict[str, JsonValue] | None = None
    phone: str | None = None


class AdminUserParams(_GoBody):
    id: str | None = None
    aud: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    password: str | None = None
    password_hash: str | None = None
    email_confirm: bool = False
    phone_confirm: bool = False
    user_metadata: dict[str, JsonValue] | None = None
    app_metadata: dict[str, JsonValue] | None = None
    ban_duration: str | None = None


class AdminUserDeleteParams(_GoBody):
    should_soft_delete: bool = False


def parse_body(body: bytes, model: type[Params]) -> Params:
    """retrieveRequestParams: 400 bad_json when the body is not the expected JSON object."""
    try:
        decoded = json.loads(body) if body else None
    except json.JSONDecodeError as error:
        raise _bad_json(f"invalid character: {error.msg}") from None
    except UnicodeDecodeError:
        raise _bad_json("invalid UTF-8") from None
    except RecursionError:
        # GoTrue: Go's encoding/json stops at its nesting limit ("exceeded max depth").
        raise _bad_json("exceeded max depth") from None
    if decoded is None and not body:
        raise _bad_json("unexpected end of JSON input")
    if decoded is None:
        return model()
    if not isinstance(decoded, dict):
        raise _bad_json(f"json: cannot unmarshal {type(decoded).__name__} into Go value")
    cleaned = {key: value for key, value in decoded.items() if value is not None}
    try:
        return model.model_validate(cleaned)
    except RecursionError:
        raise _bad_json("exceeded max depth") from None
    except ValidationError as error:
        field = ".".join(str(part) for part in error.errors()[0]["loc"])
        raise _bad_json(f"json: cannot unmarshal into Go struct field {field}") from None


def _bad_json(reason: str) -> AuthError:
    return bad_request("bad_json", f"Could not parse request body as JSON: {reason}")


def validate_email(email: str) -> str:
    """api.validateEmail: required, at most 255 characters, a valid format; lowercased."""
    if email == "":
        raise bad_request("validation_failed", "An email address is required")
    if len(email) > 255:
        raise bad_request("validation_failed", "An email address is too long")
    if not _EMAIL.match(email):
        raise bad_request("validation_failed", "Unable to validate email address: invalid format")
    return email.lower()


def validate_phone(phone: str) -> str:
    """api.validatePhone: E.164 without the plus sign or spaces."""
    formatted = phone.removeprefix("+").replace(" ", "")
    if not _E164.match(formatted):
        raise bad_request("validation_failed", "Invalid phone number format (E.164 required)")
    return formatted


def merge_metadata(
    current: dict[str, JsonValue] | None, updates: dict[str, JsonValue]
) -> dict[str, JsonValue]:
    """User.UpdateUserMetaData/UpdateAppMetaData: set keys, a null value deletes the key."""
    merged = dict(current or {})
    for key, value in updates.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
