"""Pure rules: plan ranks, targeting, period windows, limits, trials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimodels.domain import (
    LimitPeriod,
    Organization,
    PricingPlan,
    SystemModel,
    effective_limit,
    is_trial_expired,
    is_visible_to_org,
    period_window,
    plan_rank,
    remaining_tokens,
    trial_end,
    user_token_limit,
)

moments = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2200, 12, 31),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
    ),
)
limits = st.none() | st.integers(min_value=0, max_value=2**31 - 1)


def _model(**fields: object) -> SystemModel:
    return SystemModel.model_validate({"id": uuid4(), "name": "m", **fields})


def _org(type_: str = "solicitor", plan: str = "free") -> Organization:
    return Organization.model_validate(
        {"id": uuid4(), "name": "o", "type": type_, "pricing_plan": plan}
    )


def test_plans_rank_free_starter_pro_enterprise() -> None:
    assert [plan_rank(p) for p in ("free", "starter", "pro", "enterprise")] == [0, 1, 2, 3]
    assert PricingPlan.PRO.rank > PricingPlan.STARTER.rank


def test_unknown_plan_is_rejected() -> None:
    with pytest.raises(ValueError):
        plan_rank("gold")


def test_model_with_no_target_types_is_visible_to_every_type() -> None:
    assert is_visible_to_org(_model(organization_types=[]), _org("beauty"))


def test_targeted_model_is_hidden_from_other_types() -> None:
    model = _model(organization_types=["solicitor", "immigration"])
    assert is_visible_to_org(model, _org("immigration"))
    assert not is_visible_to_org(model, _org("finance"))


def test_inactive_model_is_never_visible() -> None:
    assert not is_visible_to_org(_model(is_active=False), _org(plan="enterprise"))


@given(org_plan=st.sampled_from(PricingPlan), required=st.sampled_from(PricingPlan))
def test_plan_gate_is_rank_comparison(org_plan: PricingPlan, required: PricingPlan) -> None:
    visible = is_visible_to_org(_model(required_plan=required), _org(plan=org_plan))
    assert visible == (org_plan.rank >= required.rank)


@given(at=moments, period=st.sampled_from(LimitPeriod))
def test_period_window_contains_the_moment(at: datetime, period: LimitPeriod) -> None:
    window = period_window(period, at)
    assert window.contains(at)
    assert window.start.tzinfo == UTC


@given(at=moments, period=st.sampled_from(LimitPeriod))
def test_period_windows_tile_time(at: datetime, period: LimitPeriod) -> None:
    """The next window starts exactly where this one ends: no gap, no overlap."""
    window = period_window(period, at)
    assert period_window(period, window.end).start == window.end
    assert period_window(period, window.end - timedelta(microseconds=1)) == window


@given(at=moments)
def test_daily_window_starts_at_utc_midnight(at: datetime) -> None:
    window = period_window("daily", at)
    assert window.start.time() == datetime.min.time()
    assert window.end - window.start == timedelta(days=1)


@given(at=moments)
def test_weekly_window_starts_on_iso_monday(at: datetime) -> None:
    window = period_window("weekly", at)
    assert window.start.isoweekday() == 1
    assert window.start.time() == datetime.min.time()
    assert window.start.isocalendar()[:2] == at.astimezone(UTC).isocalendar()[:2]


@given(at=moments)
def test_monthly_window_starts_on_the_first(at: datetime) -> None:
    window = period_window("monthly", at)
    utc = at.astimezone(UTC)
    assert (window.start.year, window.start.month, window.start.day) == (utc.year, utc.month, 1)
    assert window.end.day == 1


def test_period_window_uses_utc_not_local_time() -> None:
    # 01:00 in UTC+5:30 on the 1st is still the previous day (and month) in UTC
    at = datetime(2025, 3, 1, 1, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert period_window("daily", at).start == datetime(2025, 2, 28, tzinfo=UTC)
    assert period_window("monthly", at).start == datetime(2025, 2, 1, tzinfo=UTC)


def test_period_window_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        period_window("daily", datetime(2025, 1, 1))


@given(model_limit=limits, admin_limit=limits)
def test_admin_limit_can_only_tighten(model_limit: int | None, admin_limit: int | None) -> None:
    limit = effective_limit(model_limit, admin_limit)
    if model_limit is not None:
        assert limit is not None and limit <= model_limit
    if admin_limit is not None:
        assert limit is not None and limit <= admin_limit
    assert limit in (model_limit, admin_limit)


@given(model_limit=limits, admin_limit=limits)
def test_effective_limit_is_symmetric(model_limit: int | None, admin_limit: int | None) -> None:
    assert effective_limit(model_limit, admin_limit) == effective_limit(admin_limit, model_limit)


def test_no_limits_means_unlimited() -> None:
    assert effective_limit(None, None) is None


@given(model_limit=limits, admin_limit=limits)
def test_free_models_have_no_limit(model_limit: int | None, admin_limit: int | None) -> None:
    assert user_token_limit(is_free=True, model_limit=model_limit, admin_limit=admin_limit) is None


@given(limit=limits, used=st.integers(min_value=0, max_value=2**40))
def test_remaining_is_never_negative(limit: int | None, used: int) -> None:
    left = remaining_tokens(limit, used)
    assert left is None if limit is None else 0 <= left <= limit


def test_trial_ends_days_after_it_started() -> None:
    start = datetime(2025, 1, 30, 12, tzinfo=UTC)
    assert trial_end(start, 14) == datetime(2025, 2, 13, 12, tzinfo=UTC)
    assert not is_trial_expired(start, 14, datetime(2025, 2, 13, 11, 59, tzinfo=UTC))
    assert is_trial_expired(start, 14, datetime(2025, 2, 13, 12, tzinfo=UTC))
