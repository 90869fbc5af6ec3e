"""Rows of the auth schema and the JSON GoTrue renders from them (`internal/models`).

The JSON helpers reproduce Go's `encoding/json` output for GoTrue's structs: the field order
of the struct, `omitempty` fields dropped when empty, NullString as "" and times in RFC 3339
with nanoseconds trimmed, in UTC.
"""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field, JsonValue

JsonObject = dict[str, JsonValue]
NIL_UUID = uuid.UUID(int=0)


def go_time(value: dt.datetime) -> str:
    """Go's time.Time JSON (RFC3339Nano): UTC, fractional seconds without trailing zeros."""
    utc = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += ("." + f"{utc.microsecond:06d}").rstrip("0")
    return text + "Z"


def _go_time_or_none(value: dt.datetime | None) -> str | None:
    return go_time(value) if value is not None else None


class IdentityRecord(BaseModel):
    """A row of auth.identities."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    provider_id: str
    user_id: uuid.UUID
    identity_data: JsonObject = Field(default_factory=dict)
    provider: str
    last_sign_in_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    email: str | None = None

    def to_json(self) -> JsonObject:
        """models.Identity's JSON (`identity_id` is the row id, `id` the provider id)."""
        body: JsonObject = {"identity_id": str(self.id), "id": self.provider_id}
        body["user_id"] = str(self.user_id)
        if self.identity_data:
            body["identity_data"] = self.identity_data
        body["provider"] = self.provider
        if self.last_sign_in_at is not None:
            body["last_sign_in_at"] = go_time(self.last_sign_in_at)
        body["created_at"] = _zero_time_or(self.created_at)
        body["updated_at"] = _zero_time_or(self.updated_at)
        if self.email:
            body["email"] = self.email
        return body


def _zero_time_or(value: dt.datetime | None) -> str:
    return go_time(value) if value is not None else "0001-01-01T00:00:00Z"


class UserRecord(BaseModel):
    """A row of auth.users, with its identities loaded (GoTrue eager-loads them)."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    aud: str | None = None
    role: str | None = None
    email: str | None = None
    encrypted_password: str | None = None
    email_confirmed_at: dt.datetime | None = None
    invited_at: dt.datetime | None = None
    phone: str | None = None
    phone_confirmed_at: dt.datetime | None = None
    confirmation_sent_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None
    recovery_sent_at: dt.datetime | None = None
    email_change: str | None = None
    email_change_sent_at: dt.datetime | None = None
    phone_change: str | None = None
    phone_change_sent_at: dt.datetime | None = None
    reauthentication_sent_at: dt.datetime | None = None
    last_sign_in_at: dt.datetime | None = None
    raw_app_meta_data: JsonObject | None = None
    raw_user_meta_data: JsonObject | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    banned_until: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    is_anonymous: bool = False
    is_sso_user: bool = False
    identities: list[IdentityRecord] = Field(default_factory=list)

    @property
    def has_password(self) -> bool:
        return bool(self.encrypted_password)

    def is_banned(self, now: dt.datetime) -> bool:
        return self.banned_until is not None and now < self.banned_until

    def to_json(self) -> JsonObject:
        """models.User's JSON, field for field in struct order."""
        body: JsonObject = {
            "id": str(self.id),
            "aud": self.aud or "",
            "role": self.role or "",
            "email": self.email or "",
        }
        _put_time(body, "email_confirmed_at", self.email_confirmed_at)
        _put_time(body, "invited_at", self.invited_at)
        body["phone"] = self.phone or ""
        _put_time(body, "phone_confirmed_at", self.phone_confirmed_at)
        _put_time(body, "confirmation_sent_at", self.confirmation_sent_at)
        _put_time(body, "confirmed_at", self.confirmed_at)
        _put_time(body, "recovery_sent_at", self.recovery_sent_at)
        if self.email_change:
            body["new_email"] = self.email_change
        _put_time(body, "email_change_sent_at", self.email_change_sent_at)
        if self.phone_change:
            body["new_phone"] = self.phone_change
        _put_time(body, "phone_change_sent_at", self.phone_change_sent_at)
        _put_time(body, "reauthentication_sent_at", self.reauthentication_sent_at)
        _put_time(body, "last_sign_in_at", self.last_sign_in_at)
        body["app_metadata"] = self.raw_app_meta_data or {}
        body["user_metadata"] = self.raw_user_meta_data or {}
        body["identities"] = [identity.to_json() for identity in self.identities]
        body["created_at"] = _zero_time_or(self.created_at)
        body["updated_at"] = _zero_time_or(self.updated_at)
        _put_time(body, "banned_until", self.banned_until)
        _put_time(body, "deleted_at", self.deleted_at)
        body["is_anonymous"] = self.is_anonymous
        return body


def _put_time(body: JsonObject, key: str, value: dt.datetime | None) -> None:
    text = _go_time_or_none(value)
    if text is not None:
        body[key] = text


class SessionRecord(BaseModel):
    """A row of auth.sessions."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    user_id: uuid.UUID
    created_at: dt.datetime
    updated_at: dt.datetime | None = None
    aal: str | None = None
    not_after: dt.datetime | None = None


class RefreshTokenRecord(BaseModel):
    """A row of auth.refresh_tokens (GoTrue's legacy, 12-character tokens)."""

    model_config = ConfigDict(extra="ignore")

    id: int
    token: str
    user_id: str
    revoked: bool
    parent: str | None = None
    session_id: uuid.UUID | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class AmrEntry(BaseModel):
    method: str
    timestamp: int


class AccessTokenClaims(BaseModel):
    """tokens.AccessTokenClaims in JSON order: registered claims, then GoTrue's own."""

    iss: str
    sub: str
    # jwt.MarshalSingleStringAsArray = false: a single audience is a string.
    aud: str
    exp: int
    iat: int
    email: str
    phone: str
    app_metadata: JsonObject
    user_metadata: JsonObject
    role: str
    aal: str
    amr: list[AmrEntry]
    session_id: str
    is_anonymous: bool


class SessionResponse(BaseModel):
    """tokens.AccessTokenResponse as the password and refresh grants return it."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
    expires_at: int
    refresh_token: str
    user: JsonObject
    # Set on a password sign-in whose password no longer meets the strength rules.
    weak_password: JsonObject | None = None
