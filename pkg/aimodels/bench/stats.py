"""Latency samples to p50/p99, and the median of repeated rounds (warm cache)."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

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


Clock = Callable[[], int]  # nanoseconds, as time.perf_counter_ns


def time_once_ms(action: Callable[[], object], clock: Clock = time.perf_counter_ns) -> float:
    started = clock()
    action()
    return (clock() - started) / 1e6


MIN_PER_ROUND = 5


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a round is timed, and run once after it instead: a
    full collection in the benchmark's client, which holds a run's results, paused it about
    100 ms, inside whichever timed call had just allocated past the collector's threshold."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def measure_interleaved(
    actions: Mapping[str, Callable[[], object]],
    *,
    rounds: int,
    per_round: int,
    warmup: int,
    round_budget_ms: float = 1500.0,
    clock: Clock = time.perf_counter_ns,
) -> dict[str, Latency]:
    """Time each action up to `per_round` times per round, the actions taking turns call by
    call (the order reversed every other turn, so none always runs right after another).

    Taking turns call by call means a drift in the machine (another process, autovacuum, the
    core's clock) hits the measured query and its limit alike, so their ratio stays fair.
    Blocks of calls, one action's after another's, were not enough here: a read of half a
    millisecond drifted by up to a fifth from block to block, and usage_across_orgs() against
    the owner's query read 1.13-1.39 in three runs, 1.18-1.21 taking turns (BENCHMARKS.md).

    A slow action takes fewer samples per round (never below MIN_PER_ROUND, or per_round if
    smaller) and drops out of the round's later turns, so one slow plan cannot stretch a run
    to hours; its p99 then rests on fewer samples.
    """
    names = list(actions)
    counts: dict[str, int] = {}
    for name in names:
        action = actions[name]
        warm = [time_once_ms(action, clock)]
        while len(warm) < warmup and sum(warm) < round_budget_ms:
            warm.append(time_once_ms(action, clock))
        affordable = int(round_budget_ms / max(statistics.median(warm), 0.001))
        counts[name] = max(min(MIN_PER_ROUND, per_round), min(per_round, affordable))
    per_action: dict[str, list[Latency]] = {name: [] for name in names}
    for _ in range(rounds):
        samples: dict[str, list[float]] = {name: [] for name in names}
        with _collector_paused():
            for turn in range(max(counts.values(), default=0)):
                for name in names if turn % 2 == 0 else reversed(names):
                    if turn < counts[name]:
                        samples[name].append(time_once_ms(actions[name], clock))
        for name in names:
            per_action[name].append(summarize(samples[name]))
    return {name: median_of_rounds(found) for name, found in per_action.items()}
