"""The generator is deterministic and has the skew the benchmarks need (no database needed)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from aimodels.bench.generator import (
    HISTORY_DAYS,
    PLANS,
    Dataset,
    generate_dataset,
    generate_usage,
)
from aimodels.bench.scales import Scale, spec

TYPES = ["accounting", "beauty", "doctor", "finance", "retail", "software", "solicitor", "travel"]
ANCHOR = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)


def _dataset(seed: int = 1, scale: Scale = Scale.SMALL) -> Dataset:
    return generate_dataset(seed, spec(scale), TYPES, ANCHOR)


def _usage(dataset: Dataset, seed: int = 1, rows: int = 20_000) -> list[tuple[object, ...]]:
    return list(generate_usage(seed, dataset, rows))


def test_same_seed_gives_identical_rows() -> None:
    first, second = _dataset(), _dataset()
    assert first.orgs == second.orgs and first.users == second.users
    assert _usage(first, rows=2_000) == _usage(second, rows=2_000)


def test_another_seed_gives_other_rows() -> None:
    assert _dataset(1).orgs != _dataset(2).orgs


def test_scale_row_counts_are_kept() -> None:
    dataset = _dataset(scale=Scale.SMALL)
    assert len(dataset.orgs) == spec(Scale.SMALL).organizations
    assert len(dataset.users) == spec(Scale.SMALL).users


def test_organization_sizes_are_skewed_few_large_many_small() -> None:
    sizes = Counter(u.organization_id for u in _dataset().users if u.organization_id)
    ordered = sorted(sizes.values(), reverse=True)
    assert ordered[0] >= 10 * ordered[len(ordered) // 2], ordered[:5]


def test_every_plan_and_many_types_appear() -> None:
    dataset = _dataset()
    assert {o.plan for o in dataset.orgs} == set(PLANS)
    assert {o.type for o in dataset.orgs} == set(TYPES)


def test_some_trials_have_expired() -> None:
    dataset = _dataset()
    trials = [c for c in dataset.configs if c.model.is_trial and c.enabled]
    expired = [
        c for c in trials if c.created_at + timedelta(days=c.model.trial_days or 0) <= ANCHOR
    ]
    assert trials and expired


def test_usage_spans_twelve_months_in_time_order() -> None:
    created = [row[-1] for row in _usage(_dataset())]
    assert all(isinstance(at, datetime) for at in created)
    assert created == sorted(created, key=lambda at: at)  # type: ignore[arg-type, return-value]
    assert created[0] >= ANCHOR - timedelta(days=HISTORY_DAYS + 1)  # type: ignore[operator]
    assert created[-1] < ANCHOR  # type: ignore[operator]
    months = {(at.year, at.month) for at in created}  # type: ignore[union-attr]
    assert len(months) >= 12


def test_the_long_history_user_carries_about_two_percent() -> None:
    dataset = _dataset()
    heavy = dataset.actors[0].user_id
    rows = _usage(dataset, rows=50_000)
    share = sum(1 for row in rows if row[1] == heavy) / len(rows)
    assert share == pytest.approx(0.02, abs=0.006)


def test_usage_rows_sit_in_their_models_period() -> None:
    for row in itertools.islice(generate_usage(1, _dataset(), 5_000), 0, 5_000, 97):
        period_start, period_end, created_at = row[8], row[9], row[11]
        assert period_start <= created_at < period_end  # type: ignore[operator]
