"""Concurrent recordings never push recorded usage past a limit.

Eight connections, each signed in the way PostgREST signs in a request (SET LOCAL ROLE
authenticated + request.jwt.claims), call record_usage at once, racing for the last tokens
of a per-user limit or of the organization's quota. The admission trigger's lock must let
exactly as many through as fit, and refuse the rest with the documented code.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from uuid import UUID

import psycopg
import pytest

from aimodels.stack.state import StackInfo

pytestmark = pytest.mark.stack

SUMMIT_FINANCE = UUID("00000000-0000-0000-0001-000000000003")
SUMMIT_USER1 = UUID("00000000-0000-0000-0002-000000000031")
SUMMIT_USER2 = UUID("00000000-0000-0000-0002-000000000032")
FINANCIAL_REPORT_ANALYST = UUID("00000000-0000-0000-0003-000000000003")  # 20000 tokens/day

RACERS = 8
TOKENS_EACH = 300
ALLOWANCE = 1000  # room for three recordings of 300, not four
ACCEPTED = ALLOWANCE // TOKENS_EACH


def _record_at_once(db_url: str, users: Sequence[UUID]) -> Counter[str]:
    """Every racer records TOKENS_EACH as its user, all released together; outcome per racer."""
    start = threading.Barrier(len(users))
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(user_id: UUID) -> None:
        outcome = "ok"
        with psycopg.connect(db_url) as conn:
            try:
                with conn.transaction():
                    conn.execute("set local role authenticated")
                    conn.execute(
                        "select set_config('request.jwt.claims', %s, true)",
                        (json.dumps({"sub": str(user_id), "role": "authenticated"}),),
                    )
                    start.wait()
                    conn.execute(
                        "select * from public.record_usage(%s, %s)",
                        (FINANCIAL_REPORT_ANALYST, TOKENS_EACH),
                    )
                    # Keep the transaction open a moment so the racers truly overlap.
                    conn.execute("select pg_sleep(0.05)")
            except psycopg.Error as exc:
                outcome = exc.sqlstate or "unknown"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=race, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(outcomes)


def _tokens_recorded_today(conn: psycopg.Connection, user_ids: Sequence[UUID]) -> int:
    row = conn.execute(
        "select coalesce(sum(tokens_used), 0) from public.ai_model_usage"
        " where model_id = %s and user_id = any(%s)"
        " and created_at >= (select period_start from private.period_window('daily', now()))",
        (FINANCIAL_REPORT_ANALYST, list(user_ids)),
    ).fetchone()
    return int(row[0]) if row else 0


def test_racing_for_the_last_tokens_of_a_user_limit_never_overshoots(
    fresh_db: StackInfo,
) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        already = _tokens_recorded_today(conn, [SUMMIT_USER2])
        conn.execute(
            "update public.org_system_model_config set token_limit_per_user = %s"
            " where organization_id = %s and system_model_id = %s",
            (already + ALLOWANCE, SUMMIT_FINANCE, FINANCIAL_REPORT_ANALYST),
        )

    outcomes = _record_at_once(fresh_db.db_url, [SUMMIT_USER2] * RACERS)

    assert outcomes == Counter({"ok": ACCEPTED, "AM004": RACERS - ACCEPTED})
    with psycopg.connect(fresh_db.db_url) as conn:
        recorded = _tokens_recorded_today(conn, [SUMMIT_USER2]) - already
    assert recorded == ACCEPTED * TOKENS_EACH
    assert recorded <= ALLOWANCE


def test_racing_for_the_last_tokens_of_the_org_quota_never_overshoots(
    fresh_db: StackInfo,
) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        conn.execute(
            "update public.organizations set token_quota_monthly = token_usage_current + %s"
            " where id = %s",
            (ALLOWANCE, SUMMIT_FINANCE),
        )
        before = conn.execute(
            "select token_usage_current from public.organizations where id = %s",
            (SUMMIT_FINANCE,),
        ).fetchone()
    assert before is not None

    racers = [SUMMIT_USER1, SUMMIT_USER2] * (RACERS // 2)
    outcomes = _record_at_once(fresh_db.db_url, racers)

    assert outcomes == Counter({"ok": ACCEPTED, "AM005": RACERS - ACCEPTED})
    with psycopg.connect(fresh_db.db_url) as conn:
        after = conn.execute(
            "select token_usage_current, token_quota_monthly from public.organizations"
            " where id = %s",
            (SUMMIT_FINANCE,),
        ).fetchone()
    assert after is not None
    used_now, quota = after
    assert used_now - before[0] == ACCEPTED * TOKENS_EACH
    assert used_now <= quota
