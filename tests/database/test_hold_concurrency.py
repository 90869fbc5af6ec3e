"""Concurrent holds never overshoot a limit, alone or racing recordings.

Thirty-two connections, each signed in as PostgREST signs in a request (SET LOCAL ROLE
authenticated + request.jwt.claims), reserve at once against a limit that fits only some.
reserve_usage runs the recording's admission under the organization's lock and counts the
holds already taken, so exactly as many holds are admitted as fit; the rest are refused with
the recording's codes.
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

RACERS = 32
TOKENS_EACH = 300
ALLOWANCE = 1000  # room for three holds of 300, not four
ACCEPTED = ALLOWANCE // TOKENS_EACH


def _race(db_url: str, calls: Sequence[tuple[UUID, str]]) -> Counter[str]:
    """Each (user, function) runs at once with TOKENS_EACH; outcome per racer."""
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(user_id: UUID, function: str) -> None:
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
                        f"select * from public.{function}(%s, %s)",
                        (FINANCIAL_REPORT_ANALYST, TOKENS_EACH),
                    )
                    # Keep the transaction open a moment so the racers truly overlap.
                    conn.execute("select pg_sleep(0.02)")
            except psycopg.Error as exc:
                outcome = exc.sqlstate or "unknown"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=race, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(outcomes)


def _held(conn: psycopg.Connection, user_ids: Sequence[UUID]) -> int:
    row = conn.execute(
        "select coalesce(sum(tokens_held), 0) from public.usage_reservations"
        " where model_id = %s and user_id = any(%s) and status = 'active'",
        (FINANCIAL_REPORT_ANALYST, list(user_ids)),
    ).fetchone()
    return int(row[0]) if row else 0


def _recorded_today(conn: psycopg.Connection, user_ids: Sequence[UUID]) -> int:
    row = conn.execute(
        "select coalesce(sum(tokens_used), 0) from public.ai_model_usage"
        " where model_id = %s and user_id = any(%s)"
        " and created_at >= (select period_start from private.period_window('daily', now()))",
        (FINANCIAL_REPORT_ANALYST, list(user_ids)),
    ).fetchone()
    return int(row[0]) if row else 0


def test_32_holds_racing_for_a_user_limit_never_overshoot(fresh_db: StackInfo) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        already = _recorded_today(conn, [SUMMIT_USER2])
        conn.execute(
            "update public.org_system_model_config set token_limit_per_user = %s"
            " where organization_id = %s and system_model_id = %s",
            (already + ALLOWANCE, SUMMIT_FINANCE, FINANCIAL_REPORT_ANALYST),
        )

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

    users = [SUMMIT_USER1, SUMMIT_USER2]
    calls = [
        (users[i % 2], "reserve_usage" if i % 4 < 2 else "record_usage") for i in range(RACERS)
    ]
    outcomes = _race(fresh_db.db_url, calls)

    assert outcomes == Counter({"ok": ACCEPTED, "AM005": RACERS - ACCEPTED})
    with psycopg.connect(fresh_db.db_url) as conn:
        after = conn.execute(
            "select token_usage_current, token_quota_monthly from public.organizations"
            " where id = %s",
            (SUMMIT_FINANCE,),
        ).fetchone()
        held = _held(conn, users)
    assert after is not None
    used_now, quota = after
    recorded = used_now - before[0]
    assert recorded + held == ACCEPTED * TOKENS_EACH, "recorded and held together as admitted"
    assert used_now + held <= quota
