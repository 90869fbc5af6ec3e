"""Faults under load: the API serves again by itself, and no recording is lost or doubled.

Each test runs readers and recorders (one of each per actor) through the gateway, injects
one fault, and then checks two promises:
- the API serves again within RECOVERY_SECONDS of the fault, with no restart by hand;
- the books balance: every 2xx receipt is exactly one row, a request answered with an error
  left no row, a request that got no answer left at most one, and every org and per-user
  counter equals the sum of its rows.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable

import psycopg
import pytest

from aimodels.stack.local_stack import LocalStack
from tests.faults.support import (
    Actor,
    Kind,
    Reconciliation,
    Traffic,
    reconcile,
    seconds_until_serving,
    terminate_backends_for,
    usage_row_ids,
)

# Starts (and breaks) a stack of its own.
pytestmark = pytest.mark.stack

RECOVERY_SECONDS = 20.0  # a gateway restart takes 3-7 s on two busy shared cores
WARM_UP_SECONDS = 2.0
AFTER_SECONDS = 2.0


def assert_books_balance(
    stack: LocalStack, traffic: Traffic, rows_before: frozenset[str]
) -> Reconciliation:
    books = reconcile(stack.cluster.url(), traffic.snapshot(), rows_before=rows_before)
    assert books.receipts > 0, "no recording succeeded at all: the test proved nothing"
    assert books.problems == [], "\n".join(books.problems[:20])
    return books


def report(name: str, books: Reconciliation, recovered: float | None, traffic: Traffic) -> None:
    """One line of figures per fault (shown with -s): what clients saw, how fast it healed."""
    attempts = traffic.snapshot()
    reads = [a for a in attempts if a.kind is Kind.READ]
    statuses = Counter(str(a.status or "no answer") for a in attempts if not a.ok)
    print(
        f"\n{name}: {len(reads)} reads ({sum(a.ok for a in reads)} ok); recordings:"
        f" {books.receipts} receipts, {books.refused} refused, {books.unanswered} unanswered"
        f" ({books.unanswered_committed} committed); errors {dict(statuses)};"
        f" serving again after {'never' if recovered is None else f'{recovered:.1f}s'}"
    )


def assert_serving_again(traffic: Traffic, since: float) -> float:
    recovered = seconds_until_serving(traffic, since, limit=RECOVERY_SECONDS)
    assert recovered is not None, (
        f"the API did not serve a read and a recording within {RECOVERY_SECONDS:.0f}s"
        " of the fault, with nobody restarting anything"
    )
    return recovered


def survive(
    stack: LocalStack, actors: list[Actor], name: str, inject: Callable[[], object]
) -> Traffic:
    """Traffic, then the fault, then: serving again in time, and the books balance."""
    info = stack.info
    rows_before = usage_row_ids(stack.cluster.url(), actors)
    with Traffic(info.api_url, info.anon_key, actors) as traffic:
        time.sleep(WARM_UP_SECONDS)
        inject()
        recovered = assert_serving_again(traffic, time.monotonic())
        time.sleep(AFTER_SECONDS)
    report(name, assert_books_balance(stack, traffic, rows_before), recovered, traffic)
    return traffic


def kill_gateway(stack: LocalStack) -> int:
    victim = stack.gateway.pid()
    assert victim is not None, "no gateway to kill"
    os.kill(victim, signal.SIGKILL)
    return victim


def test_gateway_killed_with_sigkill_comes_back_and_the_books_balance(
    serving: LocalStack, actors: list[Actor]
) -> None:
    killed: list[int] = []
    survive(serving, actors, "kill -9 gateway", lambda: killed.append(kill_gateway(serving)))
    assert serving.gateway.pid() not in (None, *killed), "the gateway was not replaced"


def test_postgres_restarted_under_load_and_the_api_recovers_by_itself(
    serving: LocalStack, actors: list[Actor]
) -> None:
    survive(serving, actors, "pg_ctl restart", serving.cluster.restart)


def test_backends_terminated_in_a_loop_and_the_api_recovers_by_itself(
    serving: LocalStack, actors: list[Actor]
) -> None:
    killed: list[int] = []
    db_url = serving.cluster.url()
    survive(
        serving,
        actors,
        "backends terminated every 0.01 s for 8 s",
        lambda: killed.append(terminate_backends_for(db_url, seconds=8.0, every=0.01)),
    )
    assert killed[0] > 0, "no backend was terminated: the fault never happened"
    assert serving.gateway.problem() is None, "the gateway reports unhealthy after recovering"


def test_all_three_faults_at_once_and_the_api_recovers_by_itself(
    serving: LocalStack, actors: list[Actor]
) -> None:
    def everything() -> None:
        terminator = threading.Thread(
            target=terminate_backends_for, args=(serving.cluster.url(), 6.0), daemon=True
        )
        terminator.start()
        time.sleep(1.0)
        kill_gateway(serving)
        time.sleep(1.0)
        serving.cluster.restart()
        terminator.join()

    survive(serving, actors, "all at once", everything)


def test_a_recording_tagged_like_a_seeded_row_is_one_row_of_its_own(
    serving: LocalStack, actors: list[Actor]
) -> None:
    """The seed's usage history holds counts a tag reaches (user1@summit-finance: 3000):
    such a row existed before the traffic and is no recording's second row."""
    db_url = serving.cluster.url()
    rows_before = usage_row_ids(db_url, actors)
    with psycopg.connect(db_url) as conn:
        seeded = conn.execute(
            "select user_id::text, tokens_used from public.ai_model_usage"
            " where id = any(%s::uuid[]) order by created_at limit 1",
            (list(rows_before),),
        ).fetchone()
    assert seeded is not None, "no actor has seeded usage: the collision cannot happen here"
    actor = next(a for a in actors if a.user_id == seeded[0])
    info = serving.info
    attempt = Traffic(info.api_url, info.anon_key, actors).record(actor, tokens=int(seeded[1]))
    assert attempt.ok, f"the recording was refused: {attempt.status}"
    books = reconcile(db_url, [attempt], rows_before=rows_before)
    assert books.receipts == 1 and books.problems == [], books.problems
