"""Concurrent recordings never push recorded usage past a limit.

Eight connections, each signed in the way PostgREST signs in a request (SET LOCAL ROLE
authenticated + request.jwt.claims), call record_usage at once, racing for the last tokens
of a per-user limit or of the organization's quota. The admission trigger's lock must let
exactly as many through as fit, and refuse the rest with the documented code.
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
    SUMMIT_USER1,
    SUMMIT_USER2,
    TOKENS_EACH,
    leave_org_allowance,
    leave_user_allowance,
    org_usage,
    race,
    recorded_today,
)

pytestmark = pytest.mark.stack

RACERS = 8


def _record_at_once(db_url: str, users: Sequence[UUID]) -> Counter[str]:
    """Every racer records TOKENS_EACH as its user, all released together; outcome per racer."""
    return race(db_url, [(user, "record_usage") for user in users], overlap_s=0.05, timeout_s=60)


def test_racing_for_the_last_tokens_of_a_user_limit_never_overshoots(
    fresh_db: StackInfo,
) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        already = leave_user_allowance(conn, SUMMIT_USER2)

    outcomes = _record_at_once(fresh_db.db_url, [SUMMIT_USER2] * RACERS)

    assert outcomes == Counter({"ok": ACCEPTED, "AM004": RACERS - ACCEPTED})
    with psycopg.connect(fresh_db.db_url) as conn:
        recorded = recorded_today(conn, [SUMMIT_USER2]) - already
    assert recorded == ACCEPTED * TOKENS_EACH
    assert recorded <= ALLOWANCE


def test_racing_for_the_last_tokens_of_the_org_quota_never_overshoots(
    fresh_db: StackInfo,
) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        before = leave_org_allowance(conn)

    racers = [SUMMIT_USER1, SUMMIT_USER2] * (RACERS // 2)
    outcomes = _record_at_once(fresh_db.db_url, racers)

    assert outcomes == Counter({"ok": ACCEPTED, "AM005": RACERS - ACCEPTED})
    with psycopg.connect(fresh_db.db_url) as conn:
        used_now, quota = org_usage(conn)
    assert used_now - before == ACCEPTED * TOKENS_EACH
    assert used_now <= quota
