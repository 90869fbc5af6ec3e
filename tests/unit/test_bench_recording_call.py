"""The concurrency benchmark's recording call: the claims are made once, not per call.

Building and serializing the claims on every call cost the shared cores more client CPU
than the bare side's whole INSERT, and it was charged to recording. These pin the call's
shape (the given claims sent as they are, one transaction) and its failure handling.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg
import pytest

from aimodels.bench.actors import enter_statement
from aimodels.bench.recording import record_usage_pipelined

CLAIMS = '{"sub": "made once"}'


class _Refused(psycopg.Error):
    def __init__(self, sqlstate: str) -> None:
        self._state = sqlstate
        super().__init__(sqlstate)

    @property
    def sqlstate(self) -> str | None:  # type: ignore[override]
        return self._state


@dataclass(eq=False)  # hashable by identity: the settings statement is cached per connection
class _Connection:
    fails_with: str | None = None
    sent: list[tuple[str, object]] = field(default_factory=list)

    def fetchall(self) -> list[tuple[str, str]]:
        return [("statement_timeout", "8s")]  # the role's own settings, as read once

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        yield

    def execute(self, query: str | bytes, params: object = None) -> _Connection:
        text = query.decode() if isinstance(query, bytes) else query  # psycopg takes both
        self.sent.append((text.split()[0].upper(), params))
        if self.fails_with and "record_usage" in text:
            raise _Refused(self.fails_with)
        return self


def _call(conn: _Connection) -> bool:
    return record_usage_pipelined(cast(Any, conn), CLAIMS, uuid.uuid4(), 10)


def test_the_role_settings_are_read_once_per_connection_and_applied() -> None:
    conn = _Connection()
    assert _call(conn) is True
    assert _call(conn) is True
    reads = [verb for verb, _ in conn.sent].count("SELECT") - 2 * 2  # two calls, two SELECTs each
    assert reads == 1
    assert "set_config('statement_timeout', '8s', true)" in enter_statement(cast(Any, conn))


def test_a_call_sends_the_given_claims_in_one_transaction() -> None:
    conn = _Connection()
    enter_statement(cast(Any, conn))  # the settings read, once per connection
    conn.sent.clear()
    assert _call(conn) is True
    assert [verb for verb, _ in conn.sent] == ["BEGIN", "SELECT", "SELECT", "COMMIT"]
    assert conn.sent[1][1] == (CLAIMS, "POST")


def test_a_refusal_rolls_back_and_reads_as_not_recorded() -> None:
    conn = _Connection(fails_with="AM004")
    assert _call(conn) is False
    assert conn.sent[-1] == ("ROLLBACK", None)


def test_any_other_error_rolls_back_and_is_raised() -> None:
    conn = _Connection(fails_with="AM001")
    with pytest.raises(psycopg.Error):
        _call(conn)
    assert conn.sent[-1] == ("ROLLBACK", None)
