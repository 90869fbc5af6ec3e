"""Recordings that take their locks in opposite orders: Postgres aborts one, which records and
charges nothing (docs/rules.md, "Lock order").

Two transactions each record for user1 and user2 of bright-visas on the free writing model,
in opposite orders. Each recording locks its user's window counter, so the second pair of
inserts waits in a cycle; Postgres breaks it after deadlock_timeout by aborting one. The
other commits, and every counter still equals the log's rows.
"""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest
from psycopg import errors

from aimodels.stack.state import StackInfo

WRITING = "00000000-0000-0000-0003-000000000004"  # free: no limit, no org quota
USERS = ("user1@bright-visas.example.test", "user2@bright-visas.example.test")

pytestmark = pytest.mark.stack

_RECORD = (
    "insert into public.ai_model_usage (id, user_id, model_id, tokens_used) values (%s, %s, %s, 10)"
)


def _user_ids(url: str) -> tuple[uuid.UUID, uuid.UUID]:
    with psycopg.connect(url) as conn:
        rows = dict(
            conn.execute(
                "select email, id from auth.users where email = any(%s)", (list(USERS),)
            ).fetchall()
        )
    return rows[USERS[0]], rows[USERS[1]]


def _counters_match_log(url: str, user_ids: tuple[uuid.UUID, uuid.UUID]) -> list[str]:
    """Every (user, free model, window) counter equal to its rows in the log; what differs."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select t.user_id, t.tokens, (select coalesce(sum(u.tokens_used), 0) from"
            " public.ai_model_usage u where u.user_id = t.user_id and u.model_id = t.model_id"
            " and u.created_at >= t.period_start and u.created_at < t.period_end)"
            " from private.usage_period_totals t"
            " where t.user_id = any(%s) and t.model_id = %s and now() between t.period_start"
            " and t.period_end",
            (list(user_ids), WRITING),
        ).fetchall()
    assert {r[0] for r in rows} == set(user_ids), "each user has a counter for the window"
    return [
        f"{user}: counter {counted} != log {logged}"
        for user, counted, logged in rows
        if counted != logged
    ]


def _row_exists(url: str, row_id: uuid.UUID) -> bool:
    with psycopg.connect(url) as conn:
        return (
            conn.execute("select 1 from public.ai_model_usage where id = %s", (row_id,)).fetchone()
            is not None
        )


def test_opposite_orders_deadlock_one_transaction_which_records_nothing(db: StackInfo) -> None:
    first, second = _user_ids(db.db_url)
    a_rows = (uuid.uuid4(), uuid.uuid4())  # a: first, then second
    b_rows = (uuid.uuid4(), uuid.uuid4())  # b: second, then first
    a = psycopg.connect(db.db_url)
    b = psycopg.connect(db.db_url)
    outcome: dict[str, BaseException | None] = {}
    try:
        a.execute(_RECORD, (a_rows[0], first, WRITING))
        b.execute(_RECORD, (b_rows[0], second, WRITING))

        def a_second() -> None:
            try:
                a.execute(_RECORD, (a_rows[1], second, WRITING))  # waits for b
                outcome["a"] = None
            except psycopg.Error as error:
                outcome["a"] = error

        waiting = threading.Thread(target=a_second)
        waiting.start()
        with psycopg.connect(db.db_url) as watcher:  # a is waiting before b closes the cycle
            for _ in range(200):
                if watcher.execute(
                    "select 1 from pg_stat_activity where pid = %s and wait_event_type = 'Lock'",
                    (a.info.backend_pid,),
                ).fetchone():
                    break
                threading.Event().wait(0.02)
            else:
                pytest.fail("the first transaction never waited for the second's lock")
        try:
            b.execute(_RECORD, (b_rows[1], first, WRITING))
            outcome["b"] = None
        except psycopg.Error as error:
            outcome["b"] = error
        waiting.join(timeout=30)
        assert not waiting.is_alive()

        aborted = [name for name, error in outcome.items() if error is not None]
        assert len(aborted) == 1, outcome
        assert isinstance(outcome[aborted[0]], errors.DeadlockDetected), outcome
        for conn in (a, b):
            if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
                conn.rollback()
            else:
                conn.commit()
    finally:
        a.close()
        b.close()

    kept, lost = (b_rows, a_rows) if aborted == ["a"] else (a_rows, b_rows)
    assert all(_row_exists(db.db_url, row) for row in kept)
    assert not any(_row_exists(db.db_url, row) for row in lost), "the aborted one recorded nothing"
    assert _counters_match_log(db.db_url, (first, second)) == [], "and charged nothing"
