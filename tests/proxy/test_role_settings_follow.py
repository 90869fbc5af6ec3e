"""The service applies a role's settings as changed, without a restart, as PostgREST does.

Each of a user's transactions applies the role's own settings (`alter role authenticated
set ...`). The service read them once, when its pool opened, so a change waited for a
restart; PostgREST reads them again on `NOTIFY pgrst`, and so does the service now. A role
of the test's own stands in for `authenticated`, so nothing else sees the change.
"""

from __future__ import annotations

import asyncio
import contextlib

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from aimodels.proxy.user_database import UserDatabase
from aimodels.stack.local_stack import LocalStack

pytestmark = pytest.mark.stack

ROLE = "aimodels_test_follow"


async def _settings_after_a_change(db_url: str) -> tuple[object, object]:
    async with AsyncConnectionPool(db_url, min_size=1, max_size=2, open=False) as pool:
        db = UserDatabase(pool, ROLE)
        await db.load_role_settings()
        before = db.role_settings
        follower = asyncio.create_task(db.follow_role_settings(db_url))
        try:
            async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as owner:
                await owner.execute(f"alter role {ROLE} set statement_timeout = '13s'")
                # However the NOTIFY and the listener's LISTEN interleave, the change arrives:
                # the listener reads the settings once it listens.
                await owner.execute("notify pgrst, 'reload config'")
            for _ in range(100):
                if db.role_settings != before:
                    break
                await asyncio.sleep(0.05)
            return before, db.role_settings
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower


def test_a_changed_role_setting_reaches_the_next_transaction_without_a_restart(
    local_stack: LocalStack,
) -> None:
    db_url = local_stack.info.db_url
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"drop role if exists {ROLE}")
        conn.execute(f"create role {ROLE} nologin")
        conn.execute(f"alter role {ROLE} set statement_timeout = '11s'")
    try:
        before, after = asyncio.run(_settings_after_a_change(db_url))
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(f"drop role if exists {ROLE}")
    assert before == (("statement_timeout", "11s"),)
    assert after == (("statement_timeout", "13s"),)
