"""Concurrent holds never overshoot a limit, alone or racing recordings.

Thirty-two connections, each signed in as PostgREST signs in a request (SET LOCAL ROLE
authenticated + request.jwt.claims), reserve at once against a limit that fits only some.
reserve_usage runs the recording's admission under the organization's lock and counts the
holds already taken, so exactly as many holds are admitted as fit; the rest are refused with
the recording's codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from uuid import UUID

import psycopg
import pytest

from aimodels.stack.state import StackInfo
from tests.database.racing import (
    ACCEPTED,
    ALLOWANCE,
    FINANCIAL_REPORT_ANALYST,
    SUMMIT_USER1,
    SUMMIT_USER2,
    TOKENS_EACH,
    leave_org_allowance,
    leave_user_allowance,
    org_usage,
    race,
)

pytestmark = pytest.mark.stack

RACERS = 32


def _race(db_url: str, calls: Sequence[tuple[UUID, str]]) -> Counter[str]:
    return race(db_url, calls, overlap_s=0.02, timeout_s=120)


def _held(conn: psycopg.Connection, user_ids: Sequence[UUID]) -> int:
    row = conn.execute(
        "select coalesce(sum(tokens_held), 0) from public.usage_reservations"
        " where model_id = %s and user_id = any(%s) and status = 'active'",
        (FINANCIAL_REPORT_ANALYST, list(user_ids)),
    ).fetchone()
    return int(row[0]) if row else 0


def test_32_holds_racing_for_a_user_limit_never_overshoot(fresh_db: StackInfo) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        leave_user_allowance(conn, SUMMIT_USER2)

    outcomes = _race(fresh_db.db_url, [(SUMMIT_USER2, "reserve_usage")] * RACERS)

    assert outcomes == Counter({"ok": ACCEPTED, "AM004": RACERS - ACCEPTED})
    with psycopg.connect(fresh_db.db_url) as conn:
        held = _held(conn, [SUMMIT_USER2])
    assert held == ACCEPTED * TOKENS_EACH, "every admitted hold is there, no refused one is"
    assert held <= ALLOWANCE


def test_holds_and_recordings_racing_for_the_org_quota_never_overshoot(
    fresh_db: StackInfo,
) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        before = leave_org_allowance(conn)

    users = [SUMMIT_USER1, SUMMIT_USER2]
    calls = [
        (users[i % 2], "reserve_usage" if i % 4 < 2 else "record_usage") for i in range(RACERS)
    ]
    outcomes = _race(fresh_db.db_url, calls)

    assert outcomes == Counter({"ok": ACCEPTED, "AM005": RACERS - ACCEPTED})
    with psycopg.connect(fresh_db.db_url) as conn:
        used_now, quota = org_usage(conn)
        held = _held(conn, users)
    recorded = used_now - before
    assert recorded + held == ACCEPTED * TOKENS_EACH, "recorded and held together as admitted"
    assert used_now + held <= quota
