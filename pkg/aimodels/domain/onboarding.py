"""Onboarding values: sign-up requests, invitations and their states (no I/O)."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aimodels.domain.enums import OrgType

# The bounds the database's sign-up trigger enforces on org_name.
ORG_NAME_MAX = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalized_email(address: str) -> str:
    """Trimmed and lowercase, as the database compares addresses; ValueError if not one."""
    normalized = address.strip().lower()
    if not _EMAIL.match(normalized) or len(normalized) > 255:
        raise ValueError(f"not an email address: {address!r}")
    return normalized


class InvitedRole(StrEnum):
    """The roles an invitation may carry: never superadmin."""

    USER = "user"
    ADMIN = "admin"


class InvitationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


class SignUpRequest(BaseModel):
    """What `aimodels signup` sends: checked here so a typo fails before any request."""

    model_config = ConfigDict(frozen=True)

    email: str
    password: str = Field(min_length=6)
    org_name: str = Field(min_length=1, max_length=ORG_NAME_MAX)
    org_type: OrgType

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalized_email(value)

    @field_validator("org_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class Invitation(BaseModel):
    """A row of public.invitations as its organization's admins read it."""

    model_config = ConfigDict(extra="ignore")

    id: UUID
    organization_id: UUID
    email: str
    role: InvitedRole
    created_at: dt.datetime
    expires_at: dt.datetime
    accepted_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None

    def state(self, now: dt.datetime) -> InvitationState:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        return InvitationState.EXPIRED if self.expires_at <= now else InvitationState.PENDING


class IssuedInvitation(BaseModel):
    """What invite_member() returns once: the invitation and its secret token."""

    invitation_id: UUID
    organization_id: UUID
    invited_email: str
    invited_role: InvitedRole
    expires_at: dt.datetime
    token: str = Field(repr=False)


class Membership(BaseModel):
    """What accept_invitation() returns: the organization joined and the role in it."""

    organization_id: UUID
    role: InvitedRole


class RemovedMember(BaseModel):
    profile_id: UUID
    organization_id: UUID


class SignUpResult(BaseModel):
    """A sign-up's answer: the account, and whether a confirmation email went out."""

    user_id: UUID
    email: str
    confirmation_sent: bool
