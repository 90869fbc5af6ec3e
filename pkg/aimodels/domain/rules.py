"""Pure rules that clients must show; the database enforces the same rules.

tests/integration/test_client_rules_match_db.py keeps these and the SQL functions equal.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from aimodels.domain.enums import LimitPeriod, PricingPlan


class TargetedModel(Protocol):
    """What targeting needs to know about a catalog model."""

    @property
    def is_active(self) -> bool: ...
    @property
    def organization_types(self) -> Collection[str]: ...
    @property
    def required_plan(self) -> PricingPlan: ...


class PlannedOrg(Protocol):
    """What targeting needs to know about an organization."""

    @property
    def type(self) -> str: ...
    @property
    def pricing_plan(self) -> PricingPlan: ...


@dataclass(frozen=True)
class PeriodWindow:
    """A half-open UTC interval [start, end)."""

    start: datetime
    end: datetime

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end


def plan_rank(plan: PricingPlan | str) -> int:
    """free 0 < starter 1 < pro 2 < enterprise 3."""
    return PricingPlan(plan).rank


def plan_allows(org_plan: PricingPlan | str, required_plan: PricingPlan | str) -> bool:
    return plan_rank(org_plan) >= plan_rank(required_plan)


def is_visible_to_org(model: TargetedModel, org: PlannedOrg) -> bool:
    """Active, targeted at the org's type (empty list = every type), and the plan is enough."""
    targeted = not model.organization_types or org.type in model.organization_types
    return model.is_active and targeted and plan_allows(org.pricing_plan, model.required_plan)


def period_window(period: LimitPeriod | str, at: datetime) -> PeriodWindow:
    """The UTC window containing `at`: daily from 00:00, ISO week from Monday, month from 1st."""
    if at.tzinfo is None:
        raise ValueError("at: must be timezone-aware (periods are UTC)")
    moment = at.astimezone(UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    match LimitPeriod(period):
        case LimitPeriod.DAILY:
            return PeriodWindow(day, day + timedelta(days=1))
        case LimitPeriod.WEEKLY:
            monday = day - timedelta(days=day.weekday())
            return PeriodWindow(monday, monday + timedelta(days=7))
        case LimitPeriod.MONTHLY:
            first = day.replace(day=1)
            return PeriodWindow(first, _next_month(first))


def _next_month(first: datetime) -> datetime:
    if first.month == 12:
        return first.replace(year=first.year + 1, month=1)
    return first.replace(month=first.month + 1)


def effective_limit(model_limit: int | None, admin_limit: int | None) -> int | None:
    """The smaller of the two; None means unlimited, so an admin can only tighten."""
    limits = [limit for limit in (model_limit, admin_limit) if limit is not None]
    return min(limits) if limits else None


def user_token_limit(
    *, is_free: bool, model_limit: int | None, admin_limit: int | None
) -> int | None:
    """A user's per-period token limit for one model: free models have none."""
    return None if is_free else effective_limit(model_limit, admin_limit)


def trial_end(started_at: datetime, days: int) -> datetime:
    """A trial ends `days` after the org first enabled the model."""
    return started_at + timedelta(days=days)


def is_trial_expired(started_at: datetime, days: int, at: datetime) -> bool:
    return at >= trial_end(started_at, days)


def remaining_tokens(limit: int | None, used: int) -> int | None:
    """Tokens left in the period (never negative); None when unlimited."""
    return None if limit is None else max(limit - used, 0)
