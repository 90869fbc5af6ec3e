"""Racing sessions for the concurrency tests: each signed in as PostgREST signs in a request
(SET LOCAL ROLE authenticated + request.jwt.claims), all released together on one model."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from uuid import UUID

import psycopg

SUMMIT_FINANCE = UUID("00000000-0000-0000-0001-000000000003")
SUMMIT_USER1 = UUID("00000000-0000-0000-0002-000000000031")
SUMMIT_USER2 = UUID("00000000-0000-0000-0002-000000000032")
FINANCIAL_REPORT_ANALYST = UUID("00000000-0000-0000-0003-000000000003")  # 20000 tokens/day

TOKENS_EACH = 300
ALLOWANCE = 1000  # room for three calls of 300, not four
ACCEPTED = ALLOWANCE // TOKENS_EACH


def race(
    db_url: str,
    calls: Sequence[tuple[UUID, str]],
    *,
    overlap_s: float,
    timeout_s: float,
) -> Counter[str]:
    """Each (user, function) calls `function(FINANCIAL_REPORT_ANALYST, TOKENS_EACH)` at once
    and keeps its transaction open `overlap_s` so the racers truly overlap; outcome per racer
    ("ok" or the SQLSTATE)."""
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(user_id: UUID, function: str) -> None:
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
                    conn.execute("select pg_sleep(%s)", (overlap_s,))
            except psycopg.Error as exc:
                outcome = exc.sqlstate or "unknown"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout_s)
    return Counter(outcomes)


def recorded_today(conn: psycopg.Connection, user_ids: Sequence[UUID]) -> int:
    """Tokens the users recorded on the model since today's daily window began."""
    row = conn.execute(
        "select coalesce(sum(tokens_used), 0) from public.ai_model_usage"
        " where model_id = %s and user_id = any(%s)"
        " and created_at >= (select period_start from private.period_window('daily', now()))",
        (FINANCIAL_REPORT_ANALYST, list(user_ids)),
    ).fetchone()
    return int(row[0]) if row else 0


def leave_user_allowance(conn: psycopg.Connection, user_id: UUID) -> int:
    """Sets the org's per-user limit on the model to what the user has recorded today plus
    ALLOWANCE; returns what was recorded."""
    already = recorded_today(conn, [user_id])
    conn.execute(
        "update public.org_system_model_config set token_limit_per_user = %s"
        " where organization_id = %s and system_model_id = %s",
        (already + ALLOWANCE, SUMMIT_FINANCE, FINANCIAL_REPORT_ANALYST),
    )
    return already


def leave_org_allowance(conn: psycopg.Connection) -> int:
    """Sets the org's monthly quota to its usage plus ALLOWANCE; returns that usage."""
    used, _ = org_usage(conn)
    conn.execute(
        "update public.organizations set token_quota_monthly = %s where id = %s",
        (used + ALLOWANCE, SUMMIT_FINANCE),
    )
    return used


def org_usage(conn: psycopg.Connection) -> tuple[int, int]:
    """The org's quota counter and monthly quota."""
    row = conn.execute(
        "select token_usage_current, token_quota_monthly from public.organizations where id = %s",
        (SUMMIT_FINANCE,),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])
