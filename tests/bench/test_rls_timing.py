"""The RLS overhead benchmark times the read's statement alone on both sides: not BEGIN,
COMMIT or the set_config that takes on the actor (pure: a recording stand-in connection)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast
from uuid import uuid4

import psycopg

from aimodels.bench.actors import Actor
from aimodels.bench.hot_reads import HOT_READS
from aimodels.bench.rls_overhead import _Sides
from aimodels.domain.enums import Role


class _Recorder:
    """Records what would be sent; answers every statement with no rows."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.sent.append("BEGIN")
        yield
        self.sent.append("COMMIT")

    def execute(self, sql: str | bytes, params: object = None) -> _Recorder:
        self.sent.append(sql.decode() if isinstance(sql, bytes) else sql)  # psycopg takes both
        return self

    def fetchall(self) -> list[tuple[object, ...]]:
        return []


def _conn(recorder: _Recorder) -> psycopg.Connection:
    return cast(psycopg.Connection, recorder)


def test_each_timed_action_sends_only_the_read_itself() -> None:
    rls, owner = _Recorder(), _Recorder()
    sides = _Sides(_conn(rls), _conn(owner), _conn(_Recorder()))
    actor = Actor(
        label="user",
        user_id=uuid4(),
        email="u@example.test",
        role=Role.USER,
        organization_id=uuid4(),
    )
    read = HOT_READS[0]
    with sides.timed(actor, read, {}) as actions:
        assert any("set_config" in sql for sql in rls.sent), "the actor is taken on once, first"
        rls.sent.clear()
        owner.sent.clear()
        for _ in range(3):
            actions["rls"]()
            actions["owner"]()
        assert rls.sent == [read.rls_sql] * 3
        assert owner.sent == [read.owner_sql] * 3
    assert rls.sent[-1] == "COMMIT" and owner.sent[-1] == "COMMIT"
