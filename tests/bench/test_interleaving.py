"""measure_interleaved compares actions fairly on a machine whose speed drifts within a round.

Pure: the actions run on a simulated machine, a clock that each call advances by its cost at
the machine's current speed, and that speed changes every few calls, as a shared core's does.
"""

from __future__ import annotations

import gc

import pytest

from aimodels.bench.stats import measure_interleaved

NS_PER_MS = 1_000_000


class _DriftingMachine:
    """A call costs its milliseconds times the speed factor of the moment; the factor steps
    between 1.0 and 1.5 every `period` calls, whichever action makes them."""

    def __init__(self, period: int) -> None:
        self.period = period
        self.calls = 0
        self.now_ns = 0

    def clock(self) -> int:
        return self.now_ns

    def action(self, cost_ms: float) -> object:
        def call() -> None:
            slow = (self.calls // self.period) % 2 == 1
            self.now_ns += int(cost_ms * (1.5 if slow else 1.0) * NS_PER_MS)
            self.calls += 1

        return call


def _ratio(period: int, per_round: int, measured_cost: float = 1.0) -> float:
    machine = _DriftingMachine(period)
    timings = measure_interleaved(
        {"measured": machine.action(measured_cost), "limit": machine.action(1.0)},
        rounds=5,
        per_round=per_round,
        warmup=1,
        clock=machine.clock,
    )
    return timings["measured"].p50_ms / timings["limit"].p50_ms


def test_two_reads_of_the_same_cost_measure_alike_whatever_the_drift() -> None:
    # Drift as long as a round's block of calls, and shorter and longer ones: one action's
    # whole block of calls would land in the slow phase and the other's in the fast one.
    for period in (3, 7, 10, 20, 41):
        assert _ratio(period, per_round=20) == 1.0, f"drift every {period} calls"


def test_a_real_difference_still_shows_through_the_drift() -> None:
    for period in (3, 7, 20):
        ratio = _ratio(period, per_round=20, measured_cost=1.2)
        assert ratio == pytest.approx(1.2), f"drift every {period} calls"


def test_a_slow_action_drops_out_of_the_later_turns_of_a_round() -> None:
    machine = _DriftingMachine(period=1_000_000)  # no drift
    timings = measure_interleaved(
        {"slow": machine.action(400.0), "fast": machine.action(1.0)},
        rounds=2,
        per_round=50,
        warmup=3,
        round_budget_ms=2000.0,
        clock=machine.clock,
    )
    assert timings["slow"].samples == 2 * 5  # 2000 ms a round affords 5 calls of 400
    assert timings["fast"].samples == 2 * 50


def test_no_cycle_collection_lands_inside_a_timed_call() -> None:
    enabled_during_calls: list[bool] = []
    machine = _DriftingMachine(period=1_000_000)
    call = machine.action(1.0)

    def watched() -> None:
        enabled_during_calls.append(gc.isenabled())
        call()

    warm_calls = 3
    measure_interleaved(
        {"watched": watched}, rounds=2, per_round=10, warmup=warm_calls, clock=machine.clock
    )
    assert enabled_during_calls[warm_calls:] == [False] * 20  # every timed call
    assert gc.isenabled(), "the collector is on again after the measurement"
