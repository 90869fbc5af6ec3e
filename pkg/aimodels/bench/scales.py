"""How much data each benchmark scale holds, plus `tiny` for the smoke test."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Scale(StrEnum):
    TINY = "tiny"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Shape(StrEnum):
    """How the usage rows spread over organizations and users at a given scale.

    The counts of organizations, users and rows are the scale's in every shape; only who
    holds the rows changes, since that is what moves the planner between indexes.
    """

    # Many organizations of Zipf sizes, light users, one long-history user with ~2% of rows.
    WIDE = "wide"
    # A few organizations, each with a few users who hold all the rows between them.
    HEAVY = "heavy"
    # The wide shape, except that the largest organization holds half of all rows.
    SKEWED = "skewed"


class ScaleSpec(BaseModel):
    """Row counts of one scale; `models` is the generated catalog (the seed's six come too)."""

    model_config = ConfigDict(frozen=True)

    organizations: int
    users: int
    usage_rows: int
    models: int
    # Repetitions: the smoke test only checks shapes, so `tiny` measures very little.
    rounds: int
    per_round: int


SPECS: dict[Scale, ScaleSpec] = {
    Scale.TINY: ScaleSpec(
        organizations=12, users=80, usage_rows=4_000, models=12, rounds=2, per_round=10
    ),
    Scale.SMALL: ScaleSpec(
        organizations=100, users=1_000, usage_rows=100_000, models=24, rounds=5, per_round=200
    ),
    Scale.MEDIUM: ScaleSpec(
        organizations=1_000, users=10_000, usage_rows=1_000_000, models=24, rounds=5, per_round=200
    ),
    Scale.LARGE: ScaleSpec(
        organizations=10_000,
        users=100_000,
        usage_rows=10_000_000,
        models=24,
        rounds=3,
        per_round=200,
    ),
}


def spec(scale: Scale) -> ScaleSpec:
    return SPECS[scale]


def baseline_scale(scale: Scale) -> Scale:
    """The scale a growth ratio is taken against: `small`, or `tiny` for the smoke test."""
    return Scale.TINY if scale is Scale.TINY else Scale.SMALL


def scales_up_to(scale: Scale) -> list[Scale]:
    """The baseline, every scale between, and `scale` itself (recording cost vs history)."""
    if scale is Scale.TINY:
        return [Scale.TINY]
    order = [Scale.SMALL, Scale.MEDIUM, Scale.LARGE]
    return order[: order.index(scale) + 1]
