"""Usage records, quota status and the inputs to record usage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

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
    tokens_used: Annotated[int, Field(strict=True, gt=0, le=2_147_483_647)]
    requests_count: Annotated[int, Field(strict=True, ge=1, le=2_147_483_647)] = 1


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
    period_start: datetime
    period_end: datetime
    trial_ends_at: datetime | None = None
    org_quota: int | None = None
    org_used: int | None = None
    org_remaining: int | None = None
    org_reset_at: datetime | None = None


class UsageTotal(_Row):
    """One line of a usage report: a group key and its totals."""

    key: str
    tokens: int
    requests: int
    records: int


class UsageGrouping(StrEnum):
    """How a usage report groups rows."""

    PERIOD = "period"
    MODEL = "model"
    USER = "user"


def summarize_usage(
    records: Iterable[UsageRecord],
    by: UsageGrouping,
    *,
    user_names: Mapping[UUID, str] | None = None,
) -> list[UsageTotal]:
    """Totals per group, largest token count first (ties by key, so output is stable)."""
    totals: dict[str, list[int]] = {}
    for record in records:
        key = _group_key(record, by, user_names or {})
        tokens, requests, count = totals.get(key, [0, 0, 0])
        totals[key] = [tokens + record.tokens_used, requests + record.requests_count, count + 1]
    lines = [
        UsageTotal(key=key, tokens=t, requests=r, records=n) for key, (t, r, n) in totals.items()
    ]
    return sorted(lines, key=lambda line: (-line.tokens, line.key))


def _group_key(record: UsageRecord, by: UsageGrouping, user_names: Mapping[UUID, str]) -> str:
    match by:
        case UsageGrouping.MODEL:
            return record.model_name or str(record.model_id)
        case UsageGrouping.USER:
            return user_names.get(record.user_id, str(record.user_id))
        case UsageGrouping.PERIOD:
            start = record.period_start or record.created_at
            period = record.period_type.value if record.period_type else "period"
            return f"{period} {start.date().isoformat()}" if start else "unknown"
