"""The concurrency benchmark's recording call, against the seeded database.

It sends record_usage() as the model access service sends a user's statement: one message,
the session's settings bound once. These show that it records through the API's rules (row
level security, the limits), that a refusal leaves the session usable, and that a value of
the claims cannot become a placeholder.
"""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from aimodels.bench.recording import RecordingSession
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackInfo

USER = "user1@summit-finance.example.test"
MODEL = "Financial Report Analyst"  # 20000 tokens per user per UTC day at summit-finance


def _ids(owner_url: str) -> tuple[uuid.UUID, uuid.UUID]:
    with psycopg.connect(owner_url) as conn:
        row = conn.execute(
            "select (select id from auth.users where email = %s),"
            " (select id from public.ai_models_system where name = %s)",
            (USER, MODEL),
        ).fetchone()
    assert row is not None and row[0] and row[1]
    return row[0], row[1]


def _recorded(owner_url: str, user_id: uuid.UUID) -> list[int]:
    """The user's tokens of the log, row by row, in the order written."""
    with psycopg.connect(owner_url) as conn:
        rows = conn.execute(
            "select tokens_used from public.ai_model_usage where user_id = %s"
            " order by created_at, id",
            (user_id,),
        ).fetchall()
    return [int(r[0]) for r in rows]


@pytest.fixture
def session_and_ids(
    fresh_db: StackInfo, local_stack: LocalStack
) -> tuple[RecordingSession, psycopg.Connection, uuid.UUID, uuid.UUID]:
    user_id, model_id = _ids(fresh_db.db_url)
    # A claim value with placeholders and percent signs in it, as an email may have.
    claims = json.dumps({"sub": str(user_id), "role": "authenticated", "email": "a%s%%b@x.test"})
    conn = psycopg.connect(local_stack.cluster.url("authenticator"), autocommit=True)
    return RecordingSession(conn, claims), conn, user_id, model_id


def _new_rows(owner_url: str, user_id: uuid.UUID, before: list[int]) -> list[int]:
    after = _recorded(owner_url, user_id)
    assert after[: len(before)] == before
    return after[len(before) :]


def test_a_call_records_exactly_its_tokens_as_the_user(
    session_and_ids: tuple[RecordingSession, psycopg.Connection, uuid.UUID, uuid.UUID],
    fresh_db: StackInfo,
) -> None:
    session, conn, user_id, model_id = session_and_ids
    before = _recorded(fresh_db.db_url, user_id)
    with conn:
        assert session.record(model_id, 123) is True
        assert session.record(model_id, 7) is True
    assert _new_rows(fresh_db.db_url, user_id, before) == [123, 7]


def test_a_refusal_reads_as_not_recorded_and_the_session_goes_on(
    session_and_ids: tuple[RecordingSession, psycopg.Connection, uuid.UUID, uuid.UUID],
    fresh_db: StackInfo,
) -> None:
    session, conn, user_id, model_id = session_and_ids
    before = _recorded(fresh_db.db_url, user_id)
    with conn:
        assert session.record(model_id, 20001) is False  # past the daily limit: AM004
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert session.record(model_id, 5) is True
    assert _new_rows(fresh_db.db_url, user_id, before) == [5]


def test_any_other_refusal_is_raised_and_rolled_back(
    session_and_ids: tuple[RecordingSession, psycopg.Connection, uuid.UUID, uuid.UUID],
    fresh_db: StackInfo,
) -> None:
    session, conn, user_id, _ = session_and_ids
    before = _recorded(fresh_db.db_url, user_id)
    with conn:
        with pytest.raises(psycopg.Error) as raised:
            session.record(uuid.uuid4(), 5)  # no such model: AM001
        assert raised.value.sqlstate == "AM001"
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert _new_rows(fresh_db.db_url, user_id, before) == []


def _used_today(url: str, user_id: uuid.UUID, model_id: uuid.UUID) -> int:
    """The user's tokens on the model in the limit's window (the UTC day)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select coalesce(sum(tokens_used), 0) from public.ai_model_usage"
            " where user_id = %s and model_id = %s"
            " and created_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'",
            (user_id, model_id),
        ).fetchone()
    return int(row[0]) if row else 0


def test_the_warm_up_call_records_and_charges_nothing(
    session_and_ids: tuple[RecordingSession, psycopg.Connection, uuid.UUID, uuid.UUID],
    fresh_db: StackInfo,
) -> None:
    session, conn, user_id, model_id = session_and_ids
    before = _recorded(fresh_db.db_url, user_id)
    left = 20000 - _used_today(fresh_db.db_url, user_id, model_id)
    with conn:
        session.warm_up(model_id, left)  # admitted, then rolled back
        session.warm_up(model_id, left + 1)  # refused
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        # Nothing stayed charged: a call that takes exactly what was left still fits.
        assert session.record(model_id, left) is True
    assert _new_rows(fresh_db.db_url, user_id, before) == [left]
