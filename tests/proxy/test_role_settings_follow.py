"""The service applies a role's settings as changed, without a restart, as PostgREST does.

Each of a user's transactions applies its role's own settings (`alter role authenticated
set ...`). The service read them once, when its pool opened, so a change waited for a
restart; PostgREST reads them again on `NOTIFY pgrst`, and so does the service now. A role
of the test's own stands in for the signed-in roles, so nothing else sees the change.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from aimodels.proxy.user_database import UserDatabase
from aimodels.stack.local_stack import LocalStack

pytestmark = pytest.mark.stack

ROLE = "aimodels_test_follow"


@contextlib.contextmanager
def _role_with_timeout(db_url: str, timeout: str) -> Iterator[None]:
    """The test's own role, with a statement_timeout of its own, for the test's duration."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"drop role if exists {ROLE}")
        conn.execute(f"create role {ROLE} nologin")
        conn.execute(f"alter role {ROLE} set statement_timeout = '{timeout}'")
    try:
        yield
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(f"drop role if exists {ROLE}")


async def _settings_after_a_change(db_url: str) -> tuple[object, object]:
    async with AsyncConnectionPool(db_url, min_size=1, max_size=2, open=False) as pool:
        db = UserDatabase(pool, (ROLE,))
        await db.load_role_settings()
        before = db.role_settings(ROLE)
        follower = asyncio.create_task(db.follow_role_settings(db_url))
        try:
            async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as owner:
                await owner.execute(f"alter role {ROLE} set statement_timeout = '13s'")
                # However the NOTIFY and the listener's LISTEN interleave, the change arrives:
                # the listener reads the settings once it listens.
                await owner.execute("notify pgrst, 'reload config'")
            for _ in range(100):
                if db.role_settings(ROLE) != before:
                    break
                await asyncio.sleep(0.05)
            return before, db.role_settings(ROLE)
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower


def test_a_changed_role_setting_reaches_the_next_transaction_without_a_restart(
    local_stack: LocalStack,
) -> None:
    db_url = local_stack.info.db_url
    with _role_with_timeout(db_url, "11s"):
        before, after = asyncio.run(_settings_after_a_change(db_url))
    assert before == (("statement_timeout", "11s"),)
    assert after == (("statement_timeout", "13s"),)


async def _settings_after_a_failed_read(db_url: str, monkeypatch: pytest.MonkeyPatch) -> object:
    async with AsyncConnectionPool(db_url, min_size=1, max_size=2, open=False) as pool:
        db = UserDatabase(pool, (ROLE,))
        read = db.load_role_settings
        failed = False
        reads_done = 0

        async def first_read_fails() -> None:
            nonlocal failed, reads_done
            if not failed:
                failed = True
                raise RuntimeError("an error the listener does not expect")
            await read()
            reads_done += 1  # counted once the settings are in: the test reads them next

        monkeypatch.setattr(db, "load_role_settings", first_read_fails)
        follower = asyncio.create_task(db.follow_role_settings(db_url))
        try:
            for _ in range(100):  # the listener waits a second before it listens again
                if reads_done or follower.done():
                    break
                await asyncio.sleep(0.05)
            assert not follower.done(), "the listener stopped for good"
            return db.role_settings(ROLE)
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower


def test_the_listener_keeps_listening_after_an_error_it_does_not_expect(
    local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any failure, not only a lost connection, is logged and followed by listening again:
    a listener that stopped would leave every later change waiting for a restart."""
    db_url = local_stack.info.db_url
    with _role_with_timeout(db_url, "17s"):
        after = asyncio.run(_settings_after_a_failed_read(db_url, monkeypatch))
    assert after == (("statement_timeout", "17s"),)
