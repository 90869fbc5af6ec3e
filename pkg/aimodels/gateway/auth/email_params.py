"""Request bodies of the email flows, as GoTrue's handlers unmarshal them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, JsonValue


class _GoBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class SignupParams(_GoBody):
    email: str | None = None
    phone: str | None = None
    password: str | None = None
    data: dict[str, JsonValue] | None = None


class OtpParams(_GoBody):
    email: str | None = None
    phone: str | None = None
    data: dict[str, JsonValue] | None = None
    create_user: bool = True


class RecoverParams(_GoBody):
    email: str | None = None


class ResendParams(_GoBody):
    type: str | None = None
    email: str | None = None


class InviteParams(_GoBody):
    email: str | None = None
    data: dict[str, JsonValue] | None = None


class GenerateLinkParams(_GoBody):
    type: str | None = None
    email: str | None = None
    new_email: str | None = None
    password: str | None = None
    data: dict[str, JsonValue] | None = None
    redirect_to: str | None = None


class VerifyParams(_GoBody):
    type: str | None = None
    token: str | None = None
    token_hash: str | None = None
    email: str | None = None
    phone: str | None = None
    redirect_to: str | None = None
