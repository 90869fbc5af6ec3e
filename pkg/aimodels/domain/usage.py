"""Usage records, quota status and the inputs to record usage."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, computed_field

from aimodels.domain.enums import LimitPeriod, ModelType
from aimodels.domain.inputs import Input


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class UsageRecord(_Row):
    """One append-only row of ai_model_usage."""

    id: UUID
    user_id: UUID
    organization_id: UUID
    model_id: UUID
    model_type: ModelType = ModelType.SYSTEM
    model_name: str | None = None
    tokens_used: int
    requests_count: int = 1
    period_start: datetime | None = None
    period_end: datetime | None = None
    period_type: LimitPeriod | None = None
    created_at: datetime | None = None


class UsageInput(Input):
    """What a user records: validated here so a bad amount never reaches the API."""

    model_id: UUID
    # The database's bounds per usage row (AM006 beyond them); strict: True is no count.
    tokens_used: Annotated[int, Field(strict=True, gt=0, le=10_000_000)]
    requests_count: Annotated[int, Field(strict=True, ge=1, le=10_000)] = 1
    # A retry with the same key returns the first receipt and charges once (per user).
    idempotency_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class RecordUsageResult(UsageRecord):
    """record_usage() (public.usage_receipt): the new row and what is left after it.

    None means that amount does not limit this model (no limit, no org quota, a free model).
    """

    user_tokens_remaining: int | None = None
    org_tokens_remaining: int | None = None


class QuotaStatus(_Row):
    """quota_status(model) (public.model_quota_status): the caller's standing on one model.

    token_limit/tokens_remaining None = unlimited; org_quota/org_remaining None = no org cap.
    """

    model_id: UUID
    limit_period: LimitPeriod
    token_limit: int | None = None
    tokens_used: int = 0
    tokens_remaining: int | None = None
    # Held by in-flight model calls (reserved, not yet settled): remaining already subtracts it.
    tokens_held: int = 0
    period_start: datetime
    period_end: datetime
    trial_ends_at: datetime | None = None
    org_quota: int | None = None
    org_used: int | None = None
    org_held: int = 0
    org_remaining: int | None = None
    org_reset_at: datetime | None = None


class UsageGrouping(StrEnum):
    """How usage_report() groups rows (the database refuses anything else, AM009)."""

    MODEL = "model"
    USER = "user"
    DAY = "day"
    MODEL_USER = "model_user"
    ORG = "org"


class UsageTotal(_Row):
    """One line of usage_report(): the group and its totals.

    Columns the grouping does not use are None; names are the ones the database reports (a
    model's last recorded name, a profile's display name, an organization's name).
    """

    organization_id: UUID | None = None
    organization_name: str | None = None
    model_id: UUID | None = None
    model_name: str | None = None
    user_id: UUID | None = None
    user_name: str | None = None
    day: date | None = None
    tokens: int
    requests: int
    records: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def key(self) -> str:
        """How a table names the group: its names (ids where a name is unknown), joined."""
        parts = [
            _named(self.organization_id, self.organization_name),
            _named(self.model_id, self.model_name),
            _named(self.user_id, self.user_name),
            self.day.isoformat() if self.day else None,
        ]
        return " / ".join(part for part in parts if part is not None)


def _named(row_id: UUID | None, name: str | None) -> str | None:
    if row_id is None:
        return None
    return name or str(row_id)
