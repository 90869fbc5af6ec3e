"""The recording benchmarks' calls, against the seeded database.

They send record_usage(), or a hold and its settlement, as the model access service sends a
user's statement: one message, the session's settings bound once. These show that each
records through the API's rules (row level security, the limits), that a refusal leaves the
session usable and nothing held, and that a value of the claims cannot become a placeholder.
The calls with no rules, the concurrency benchmark's floor, write the same rows elsewhere.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from aimodels.bench.recording import (
    SERVICE_HOLDS,
    HoldSession,
    HoldStatements,
    RecordingSession,
    SpendingSession,
)
from aimodels.bench.rule_free import RULE_FREE_HOLDS, RULE_FREE_RECORD, SCHEMA, rule_free_calls
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


@dataclass
class Writing:
    """A recording session as the seeded user, and the log as it was when it began."""

    session: SpendingSession
    conn: psycopg.Connection
    owner_url: str
    user_id: uuid.UUID
    model_id: uuid.UUID
    rows_before: list[int]

    def new_rows(self) -> list[int]:
        after = _recorded(self.owner_url, self.user_id)
        assert after[: len(self.rows_before)] == self.rows_before
        return after[len(self.rows_before) :]

    def idle(self) -> bool:
        return self.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE

    def holds(self) -> dict[str, int]:
        """The user's holds by status."""
        with psycopg.connect(self.owner_url) as conn:
            rows = conn.execute(
                "select status, count(*) from public.usage_reservations where user_id = %s"
                " group by status",
                (self.user_id,),
            ).fetchall()
        return {str(status): int(count) for status, count in rows}


@pytest.fixture(params=[RecordingSession, HoldSession], ids=["recording", "hold then settle"])
def writing(
    request: pytest.FixtureRequest, fresh_db: StackInfo, local_stack: LocalStack
) -> Iterator[Writing]:
    user_id, model_id = _ids(fresh_db.db_url)
    # A claim value with placeholders and percent signs in it, as an email may have.
    claims = json.dumps({"sub": str(user_id), "role": "authenticated", "email": "a%s%%b@x.test"})
    with psycopg.connect(local_stack.cluster.url("authenticator"), autocommit=True) as conn:
        yield Writing(
            request.param(conn, claims),
            conn,
            fresh_db.db_url,
            user_id,
            model_id,
            _recorded(fresh_db.db_url, user_id),
        )


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


def test_a_call_records_exactly_its_tokens_as_the_user(writing: Writing) -> None:
    assert writing.session.spend(writing.model_id, 123) is True
    assert writing.session.spend(writing.model_id, 7) is True
    assert writing.new_rows() == [123, 7]
    settled = 2 if isinstance(writing.session, HoldSession) else 0
    assert writing.holds().get("settled", 0) == settled
    assert writing.holds().get("active", 0) == 0


def test_a_refusal_reads_as_not_recorded_and_the_session_goes_on(writing: Writing) -> None:
    assert writing.session.spend(writing.model_id, 20001) is False  # past the day's limit
    assert writing.idle()
    assert writing.holds() == {}
    assert writing.session.spend(writing.model_id, 5) is True
    assert writing.new_rows() == [5]


def test_any_other_refusal_is_raised_and_rolled_back(writing: Writing) -> None:
    with pytest.raises(psycopg.Error) as raised:
        writing.session.spend(uuid.uuid4(), 5)  # no such model: AM001
    assert raised.value.sqlstate == "AM001"
    assert writing.idle()
    assert writing.new_rows() == []


def test_the_warm_up_call_records_and_charges_nothing(writing: Writing) -> None:
    left = 20000 - _used_today(writing.owner_url, writing.user_id, writing.model_id)
    writing.session.warm_up(writing.model_id, left)  # admitted, then rolled back
    writing.session.warm_up(writing.model_id, left + 1)  # refused
    assert writing.idle()
    assert writing.holds() == {}
    # Nothing stayed charged: a call that takes exactly what was left still fits.
    assert writing.session.spend(writing.model_id, left) is True
    assert writing.new_rows() == [left]


def _holds(owner_url: str, table: str, user_id: uuid.UUID) -> list[tuple[object, ...]]:
    """The user's holds in `table`: status, tokens held and settled, whether the usage row
    is named, whether the organization is the user's."""
    with psycopg.connect(owner_url) as conn:
        return conn.execute(
            f"select status, tokens_held, tokens_settled, usage_id is not null,"
            f" organization_id = (select organization_id from public.profiles where id = %s)"
            f" from {table} where user_id = %s",
            (user_id, user_id),
        ).fetchall()


@pytest.mark.parametrize("holding", [False, True], ids=["recording", "hold then settle"])
def test_the_calls_with_no_rules_write_outside_the_log_and_the_holds_and_leave_nothing(
    fresh_db: StackInfo, local_stack: LocalStack, holding: bool
) -> None:
    user_id, model_id = _ids(fresh_db.db_url)
    claims = json.dumps({"sub": str(user_id), "role": "authenticated"})
    log_before = _recorded(fresh_db.db_url, user_id)
    holds_before = _holds(fresh_db.db_url, "public.usage_reservations", user_id)
    with rule_free_calls(fresh_db.db_url):
        with psycopg.connect(local_stack.cluster.url("authenticator"), autocommit=True) as conn:
            session: SpendingSession = (
                HoldSession(conn, claims, statements=RULE_FREE_HOLDS)
                if holding
                else RecordingSession(conn, claims, statement=RULE_FREE_RECORD)
            )
            session.warm_up(model_id, 5)  # rolled back
            # Past the day's limit of 20000, which a recording and a hold refuse: no rule
            # reads it.
            assert session.spend(model_id, 20001) is True
        with psycopg.connect(fresh_db.db_url) as conn:
            written = conn.execute(
                f"select u.organization_id = p.organization_id, u.model_name, u.tokens_used,"
                f" u.period_type, u.period_start < u.period_end,"
                f" (select count(*) from {SCHEMA}.usage_reservations r where r.usage_id = u.id)"
                f" from {SCHEMA}.ai_model_usage u join public.profiles p on p.id = u.user_id"
            ).fetchall()
        assert written == [(True, MODEL, 20001, "daily", True, 1 if holding else 0)]
        held = [("settled", 20001, 20001, True, True)] if holding else []
        assert _holds(fresh_db.db_url, f"{SCHEMA}.usage_reservations", user_id) == held
    assert _recorded(fresh_db.db_url, user_id) == log_before
    assert _holds(fresh_db.db_url, "public.usage_reservations", user_id) == holds_before
    with psycopg.connect(fresh_db.db_url) as conn:
        row = conn.execute("select to_regnamespace(%s) is null", (SCHEMA,)).fetchone()
    assert row == (True,)


def test_the_rule_free_hold_statements_differ_from_the_services_by_schema_only() -> None:
    for ours, theirs in zip(
        (RULE_FREE_HOLDS.reserve, RULE_FREE_HOLDS.settle, RULE_FREE_HOLDS.hold_and_settle),
        (SERVICE_HOLDS.reserve, SERVICE_HOLDS.settle, SERVICE_HOLDS.hold_and_settle),
        strict=True,
    ):
        assert "public." not in ours
        assert ours.replace(f"{SCHEMA}.", "public.") == theirs
    with pytest.raises(ValueError, match="reserve_usage"):
        HoldStatements("select reserve_usage(%s)", "", "").calling(SCHEMA)
