"""Recording usage the way the API does: one transaction per call, as the signed-in user.

Shared by benchmark 2 (cost vs history) and benchmark 3 (concurrency). The sessions send
each transaction as one message, as the model access service sends its statements: a
recording (record_usage), or a model call's hold and its settlement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

import psycopg
from psycopg.pq import TransactionStatus

from aimodels.bench.actors import Actor, enter_as
from aimodels.domain.enums import Role
from aimodels.domain.reservations import UsageHold
from aimodels.proxy.user_database import (
    RESERVE_STATEMENT,
    SETTLE_STATEMENT,
    read_role_settings,
    transaction_opening,
)

BULK_MODEL = "Bench Enterprise Bulk"
EVERYDAY_MODEL = "Bench Everyday"
REFUSALS = frozenset({"AM004", "AM005"})  # a limit or quota said no: expected near a limit
IDLE = TransactionStatus.IDLE
USER_ROLE = Role.USER.api_role  # recordings and holds are a plain user's


def model_id(conn: psycopg.Connection, name: str) -> UUID:
    row = conn.execute("select id from public.ai_models_system where name = %s", (name,)).fetchone()
    if row is None:
        raise LookupError(f"model {name!r} is not in the bench database")
    return UUID(str(row[0]))


_RECORD = "select * from public.record_usage(model_id => %s, tokens_used => %s)"


def record_usage(conn: psycopg.Connection, actor: Actor, model: UUID, tokens: int) -> bool:
    """POST /rpc/record_usage, minus HTTP. True when recorded, False when a limit refused it."""
    try:
        with conn.transaction():
            enter_as(conn, actor, method="POST")
            conn.execute(_RECORD, (model, tokens)).fetchone()
    except psycopg.Error as error:
        if error.sqlstate in REFUSALS:
            return False
        raise
    return True


class _ServiceStatements:
    """A user's statements sent as the model access service sends them.

    One simple-query message per statement: BEGIN, PostgREST's settings statement, the
    statement and COMMIT (proxy/user_database.py's transaction, so the same statements reach
    the server). The session's settings (the role's own, the claims) are bound once, as the
    gateway binds claims it has verified and remembers; each message binds only its
    statement's own values. When a statement fails, the server skips the COMMIT and keeps
    the failed transaction open: it is rolled back here. `conn` must be in autocommit mode
    (the transaction is spelled out).
    """

    def __init__(self, conn: psycopg.Connection, claims: str) -> None:
        self._conn = conn
        self._cursor = psycopg.ClientCursor(conn)
        self._role_settings = read_role_settings(conn, USER_ROLE)
        self._claims = claims

    def message(self, rpc: str, statement: str, *, end: str = "COMMIT") -> str:
        """BEGIN and the settings of a call of `rpc` (bound; a "%" in a bound value is
        doubled, so only the statement's own placeholders stay open), the statement, `end`."""
        opening, settings = transaction_opening(
            self._role_settings, USER_ROLE, self._claims, rpc, read_only=False
        )
        bound = self._cursor.mogrify(opening, settings).replace("%", "%%")
        return f"{bound};\n{statement};\n{end}"

    def send(self, message: str, params: tuple[object, ...]) -> tuple[object, ...] | None:
        """The statement's first row (results: BEGIN's, the settings', the statement's), or
        None when a limit refused it."""
        try:
            self._cursor.execute(message, params)
        except psycopg.Error as error:
            if not self._conn.broken and self._conn.info.transaction_status != IDLE:
                self._conn.execute("ROLLBACK")
            if error.sqlstate in REFUSALS:
                return None
            raise
        self._cursor.nextset()
        self._cursor.nextset()
        row = self._cursor.fetchone()
        if row is None:
            raise RuntimeError("the statement returned no row")
        return row


class RecordingSession:
    """record_usage() as the model access service would send it: one message per call.
    `statement` replaces the call (same placeholders: the model, the tokens) with one sent
    the same way, such as bench/rule_free.py's."""

    def __init__(self, conn: psycopg.Connection, claims: str, statement: str = _RECORD) -> None:
        self._statements = _ServiceStatements(conn, claims)
        self._message = self._statements.message("record_usage", statement)
        self._rolled_back = self._statements.message("record_usage", statement, end="ROLLBACK")

    def spend(self, model: UUID, tokens: int) -> bool:
        """True when recorded, False when a limit refused it."""
        return self._statements.send(self._message, (model, tokens)) is not None

    def warm_up(self, model: UUID, tokens: int) -> None:
        """One call, rolled back: a new connection's first call compiles the plpgsql
        functions and plans their statements, which a pooled connection did long ago. It
        records and charges nothing."""
        self._statements.send(self._rolled_back, (model, tokens))


# The warm-up's hold and settlement, in one statement (the transaction is rolled back).
_HOLD_AND_SETTLE = (
    "with held as materialized ("
    " select h.id from public.reserve_usage(model_id => %s, max_tokens => %s) h)"
    " select s.id from held, public.settle_usage(reservation_id => held.id, tokens_used => %s) s"
)


@dataclass(frozen=True)
class HoldStatements:
    """What a hold session sends: the hold (the model, the tokens, the idempotency key),
    the settlement (the hold's id, the tokens) and the warm-up (both in one statement)."""

    reserve: str
    settle: str
    hold_and_settle: str

    def calling(self, schema: str) -> HoldStatements:
        """The same statements, calling the functions of the same names in `schema`."""

        def moved(statement: str) -> str:
            for function in ("reserve_usage(", "settle_usage("):
                if f"public.{function}" not in statement and function in statement:
                    raise ValueError(f"{function} is not called as public.{function}")
                statement = statement.replace(f"public.{function}", f"{schema}.{function}")
            return statement

        return HoldStatements(moved(self.reserve), moved(self.settle), moved(self.hold_and_settle))


# The model access service's own statements (proxy/user_database.py).
SERVICE_HOLDS = HoldStatements(
    RESERVE_STATEMENT.decode(), SETTLE_STATEMENT.decode(), _HOLD_AND_SETTLE
)


class HoldSession:
    """A model call's accounting as the model access service sends it: reserve_usage() for
    the call's tokens, then settle_usage() for what was used, each its own transaction and
    message, with the very statements of proxy/user_database.py (or `statements` sent the
    same way, such as bench/rule_free.py's)."""

    def __init__(
        self, conn: psycopg.Connection, claims: str, statements: HoldStatements = SERVICE_HOLDS
    ) -> None:
        self._statements = _ServiceStatements(conn, claims)
        self._reserve = self._statements.message("reserve_usage", statements.reserve)
        self._settle = self._statements.message("settle_usage", statements.settle)
        self._rolled_back = self._statements.message(
            "reserve_usage", statements.hold_and_settle, end="ROLLBACK"
        )

    def spend(self, model: UUID, tokens: int) -> bool:
        """Holds `tokens` and settles them: True when settled, False when a limit refused
        the hold (nothing is held then)."""
        held = self._statements.send(self._reserve, (model, tokens, None))
        if held is None:
            return False
        hold = UsageHold.model_validate(held[0])
        settled = self._statements.send(self._settle, (hold.id, tokens))
        if settled is None:
            raise RuntimeError("a hold's settlement was refused")
        return True

    def warm_up(self, model: UUID, tokens: int) -> None:
        """One hold and its settlement in one transaction, rolled back (as RecordingSession's)."""
        self._statements.send(self._rolled_back, (model, tokens, tokens))


class SpendingSession(Protocol):
    """What one model call costs the database, sent as the model access service sends it."""

    def spend(self, model: UUID, tokens: int) -> bool: ...

    def warm_up(self, model: UUID, tokens: int) -> None: ...
