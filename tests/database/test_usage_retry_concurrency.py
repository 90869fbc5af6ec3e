"""Concurrent retries of one recording are charged once and never refused.

A client that times out retries with the same client-chosen id, sometimes while the first
attempt is still in flight. Eight connections, each signed in as PostgREST signs in a
request, insert the same usage row (same id, `on conflict (id) do nothing`) at once, when
that row takes the last tokens of the user's limit. Exactly one row is written and charged;
no attempt is refused as over the limit, since every other attempt is a retry of it.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from uuid import UUID

import psycopg
import pytest

from aimodels.stack.state import StackInfo

pytestmark = pytest.mark.stack

SUMMIT_FINANCE = UUID("00000000-0000-0000-0001-000000000003")
SUMMIT_USER2 = UUID("00000000-0000-0000-0002-000000000032")
FINANCIAL_REPORT_ANALYST = UUID("00000000-0000-0000-0003-000000000003")  # 20000 tokens/day

RETRIES = 8
TOKENS = 700


def _insert_at_once(db_url: str, row_id: UUID) -> Counter[str]:
    """Every attempt inserts the same row as user2, all released together; outcome each."""
    start = threading.Barrier(RETRIES)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        outcome = "ok"
        with psycopg.connect(db_url) as conn:
            try:
                with conn.transaction():
                    conn.execute("set local role authenticated")
                    conn.execute(
                        "select set_config('request.jwt.claims', %s, true)",
                        (json.dumps({"sub": str(SUMMIT_USER2), "role": "authenticated"}),),
                    )
                    start.wait()
                    conn.execute(
                        "insert into public.ai_model_usage (id, model_id, tokens_used)"
                        " values (%s, %s, %s) on conflict (id) do nothing",
                        (row_id, FINANCIAL_REPORT_ANALYST, TOKENS),
                    )
                    # Keep the transaction open a moment so the attempts truly overlap.
                    conn.execute("select pg_sleep(0.05)")
            except psycopg.Error as exc:
                outcome = exc.sqlstate or "unknown"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(RETRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(outcomes)


def _used_today(conn: psycopg.Connection) -> tuple[int, int]:
    """user2's tokens on the model today (the log) and the org's quota counter."""
    row = conn.execute(
        "select (select coalesce(sum(tokens_used), 0) from public.ai_model_usage"
        "        where model_id = %s and user_id = %s"
        "          and created_at >= (select period_start"
        "                             from private.period_window('daily', now()))),"
        "       (select token_usage_current from public.organizations where id = %s)",
        (FINANCIAL_REPORT_ANALYST, SUMMIT_USER2, SUMMIT_FINANCE),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_concurrent_retries_of_the_last_tokens_are_charged_once(fresh_db: StackInfo) -> None:
    with psycopg.connect(fresh_db.db_url, autocommit=True) as conn:
        used, org_used = _used_today(conn)
        conn.execute(
            "update public.org_system_model_config set token_limit_per_user = %s"
            " where organization_id = %s and system_model_id = %s",
            (used + TOKENS, SUMMIT_FINANCE, FINANCIAL_REPORT_ANALYST),
        )
    row_id = uuid.uuid4()

    outcomes = _insert_at_once(fresh_db.db_url, row_id)

    assert outcomes == Counter({"ok": RETRIES}), "no retry is refused (AM004) or fails"
    with psycopg.connect(fresh_db.db_url) as conn:
        assert _used_today(conn) == (used + TOKENS, org_used + TOKENS), "charged once"
        rows = conn.execute(
            "select count(*) from public.ai_model_usage where id = %s", (row_id,)
        ).fetchone()
        assert rows == (1,)
