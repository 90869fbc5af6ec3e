"""The generator is deterministic and has the skew the benchmarks need (no database needed)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from aimodels.bench.generator import (
    HEAVY_ORGS,
    HEAVY_USERS_PER_ORG,
    HISTORY_DAYS,
    PLANS,
    Dataset,
    generate_dataset,
    generate_usage,
)
from aimodels.bench.scales import Scale, Shape, spec

TYPES = ["accounting", "beauty", "doctor", "finance", "retail", "software", "solicitor", "travel"]
ANCHOR = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)


def _dataset(seed: int = 1, scale: Scale = Scale.SMALL, shape: Shape = Shape.WIDE) -> Dataset:
    return generate_dataset(seed, spec(scale), TYPES, ANCHOR, shape)


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


# -- shapes -----------------------------------------------------------------------------------
def _rows_by(dataset: Dataset, column: int, rows: int = 20_000) -> Counter[object]:
    return Counter(row[column] for row in _usage(dataset, rows=rows))


@pytest.mark.parametrize("shape", list(Shape))
def test_every_shape_keeps_the_scale_counts(shape: Shape) -> None:
    dataset = _dataset(shape=shape)
    assert len(dataset.orgs) == spec(Scale.SMALL).organizations
    assert len(dataset.users) == spec(Scale.SMALL).users
    assert len(_usage(dataset, rows=3_000)) == 3_000


def test_heavy_shape_gives_every_row_to_a_few_users_of_a_few_orgs() -> None:
    dataset = _dataset(shape=Shape.HEAVY)
    by_user = _rows_by(dataset, 1)
    by_org = _rows_by(dataset, 2)
    assert len(by_org) <= HEAVY_ORGS, "rows belong to a few organizations only"
    assert len(by_user) <= HEAVY_ORGS * HEAVY_USERS_PER_ORG, "rows belong to a few users only"
    assert min(by_user.values()) > 20_000 / (HEAVY_ORGS * HEAVY_USERS_PER_ORG) / 2, (
        "each heavy user holds a comparable, large share"
    )
    assert dataset.actors[0].user_id in by_user, "the benchmarks' user is one of the heavy users"


def test_skewed_shape_gives_half_of_all_rows_to_the_largest_org() -> None:
    dataset = _dataset(shape=Shape.SKEWED)
    largest = dataset.orgs[0].id
    share = _rows_by(dataset, 2)[largest] / 20_000
    assert 0.45 < share < 0.55, f"the largest organization holds {share:.0%} of rows"
    wide_share = _rows_by(_dataset(shape=Shape.WIDE), 2)[largest] / 20_000
    assert wide_share < 0.35, f"in the wide shape it holds {wide_share:.0%}, far less"


def test_wide_shape_is_the_default() -> None:
    assert _usage(_dataset(), rows=500) == _usage(_dataset(shape=Shape.WIDE), rows=500)
