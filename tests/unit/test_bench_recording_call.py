"""The benchmarks' settings statement applies the `authenticated` role's own settings.

PostgREST applies them (`alter role authenticated set ...`, today a statement_timeout and
a plan_cache_mode) in each request's settings statement, reading them once with its schema
cache; so do the benchmarks, once per connection. (The recording call itself: tests/bench.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from aimodels.bench.actors import enter_statement


@dataclass(eq=False)  # hashable by identity: the settings statement is cached per connection
class _Connection:
    sent: list[str] = field(default_factory=list)

    def fetchall(self) -> list[tuple[str, str]]:
        return [("statement_timeout", "8s")]  # the role's own settings, as read once

    def execute(self, query: str | bytes, params: object = None) -> _Connection:
        self.sent.append(query.decode() if isinstance(query, bytes) else query)
        return self


def test_the_role_settings_are_read_once_per_connection_and_applied() -> None:
    conn = _Connection()
    first = enter_statement(cast(Any, conn), "authenticated")
    assert enter_statement(cast(Any, conn), "authenticated") == first
    assert len(conn.sent) == 1, "the role's settings are read once per connection"
    admin = enter_statement(cast(Any, conn), "aimodels_admin")
    assert len(conn.sent) == 2, "each role's own settings are read once too"
    assert "set_config('role', 'aimodels_admin', true)" in admin
    assert "set_config('role', 'authenticated', true)" in first
    assert "set_config('statement_timeout', '8s', true)" in first
    assert first.index("'search_path'") < first.index("statement_timeout") < first.index("'role'")
