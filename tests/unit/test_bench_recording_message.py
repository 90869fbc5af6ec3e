"""The concurrency benchmark's recording call: one message per call, like the bare side.

Sending BEGIN, settings, call and COMMIT as four pipelined statements gave the recording side
four client executes per call against the bare side's one, which the shared cores charged
to recording. These pin the one-message shape and its failure handling.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg
import pytest

from aimodels.bench.recording import record_usage_one_message


class _Refused(psycopg.Error):
    def __init__(self, sqlstate: str) -> None:
        self._state = sqlstate
        super().__init__(sqlstate)

    @property
    def sqlstate(self) -> str | None:  # type: ignore[override]
        return self._state


@dataclass
class _Connection:
    sent: list[str] = field(default_factory=list)

    def execute(self, query: str) -> None:
        self.sent.append(query)


@dataclass
class _Cursor:
    fails_with: str | None = None
    connection: _Connection = field(default_factory=_Connection)
    sent: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def execute(self, query: str, params: tuple[object, ...]) -> None:
        self.sent.append((query, params))
        if self.fails_with:
            raise _Refused(self.fails_with)


def _call(cursor: _Cursor) -> bool:
    return record_usage_one_message(cast(Any, cursor), "{}", uuid.uuid4(), 10)


def test_a_call_is_one_message_holding_the_whole_transaction() -> None:
    cursor = _Cursor()
    assert _call(cursor) is True
    [(query, params)] = cursor.sent
    statements = [s.strip() for s in query.split(";")]
    assert statements[0] == "BEGIN" and statements[-1] == "COMMIT"
    assert "set_config('request.jwt.claims'" in query and "public.record_usage(" in query
    assert params[0] == "{}" and params[1] == "POST"
    assert cursor.connection.sent == []


def test_a_refusal_rolls_back_and_reads_as_not_recorded() -> None:
    cursor = _Cursor(fails_with="AM004")
    assert _call(cursor) is False
    assert cursor.connection.sent == ["ROLLBACK"]


def test_any_other_error_rolls_back_and_is_raised() -> None:
    cursor = _Cursor(fails_with="AM001")
    with pytest.raises(psycopg.Error):
        _call(cursor)
    assert cursor.connection.sent == ["ROLLBACK"]
