"""Latency samples to p50/p99, and the median of repeated rounds (warm cache)."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict


class Latency(BaseModel):
    """Milliseconds; p50/p99 are each the median over rounds of that round's percentile."""

    model_config = ConfigDict(frozen=True)

    p50_ms: float
    p99_ms: float
    samples: int


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: a p99 is a latency that really happened)."""
    if not values:
        raise ValueError("percentile of no samples")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(samples_ms: Sequence[float]) -> Latency:
    return Latency(
        p50_ms=percentile(samples_ms, 0.50),
        p99_ms=percentile(samples_ms, 0.99),
        samples=len(samples_ms),
    )


def median_of_rounds(rounds: Sequence[Latency]) -> Latency:
    return Latency(
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p99_ms=statistics.median(r.p99_ms for r in rounds),
        samples=sum(r.samples for r in rounds),
    )


def time_once_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter_ns()
    action()
    return (time.perf_counter_ns() - started) / 1e6


MIN_PER_ROUND = 5


def measure_interleaved(
    actions: Mapping[str, Callable[[], object]],
    *,
    rounds: int,
    per_round: int,
    warmup: int,
    round_budget_ms: float = 1500.0,
) -> dict[str, Latency]:
    """Time each action up to `per_round` times per round, alternating actions round by round.

    Alternating means a drift in the machine (another process, autovacuum) hits the
    measured query and its limit alike, so their ratio stays fair. A slow action takes
    fewer samples per round (never below MIN_PER_ROUND, or per_round if smaller), so one
    slow plan cannot stretch a run to hours; its p99 then rests on fewer samples.
    """
    counts: dict[str, int] = {}
    for name, action in actions.items():
        warm = [time_once_ms(action)]
        while len(warm) < warmup and sum(warm) < round_budget_ms:
            warm.append(time_once_ms(action))
        affordable = int(round_budget_ms / max(statistics.median(warm), 0.001))
        counts[name] = max(min(MIN_PER_ROUND, per_round), min(per_round, affordable))
    per_action: dict[str, list[Latency]] = {name: [] for name in actions}
    for _ in range(rounds):
        for name, action in actions.items():
            samples = [time_once_ms(action) for _ in range(counts[name])]
            per_action[name].append(summarize(samples))
    return {name: median_of_rounds(found) for name, found in per_action.items()}
