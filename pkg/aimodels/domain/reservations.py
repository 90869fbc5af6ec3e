"""Quota holds: tokens reserved before a model call, settled or released after it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class HoldStatus(StrEnum):
    ACTIVE = "active"
    SETTLED = "settled"
    RELEASED = "released"


class UsageHold(BaseModel):
    """reserve_usage(): the hold, and whether it was the first call's (an idempotent replay)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: UUID
    user_id: UUID
    organization_id: UUID
    model_id: UUID
    tokens_held: int
    requests_count: int
    status: HoldStatus
    expires_at: datetime
    created_at: datetime
    replayed: bool = False
