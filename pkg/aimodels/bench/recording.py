"""Recording usage the way the API does: one transaction per call, as the signed-in user.

Shared by benchmark 2 (cost vs history) and benchmark 3 (concurrency); benchmark 3 sends
each transaction as one message, as the model access service sends its statements.
"""

from __future__ import annotations

from uuid import UUID

import psycopg
from psycopg.pq import TransactionStatus

from aimodels.bench.actors import Actor, enter_as
from aimodels.proxy.caller import USER_ROLE
from aimodels.proxy.user_database import read_role_settings, transaction_opening

BULK_MODEL = "Bench Enterprise Bulk"
EVERYDAY_MODEL = "Bench Everyday"
REFUSALS = frozenset({"AM004", "AM005"})  # a limit or quota said no: expected near a limit
IDLE = TransactionStatus.IDLE


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


class RecordingSession:
    """record_usage() sent as the model access service sends a user's statement.

    One simple-query message per call: BEGIN, PostgREST's settings statement, the call and
    COMMIT (proxy/user_database.py's transaction, so the same statements reach the server).
    The session's settings (the role's own, the claims) are bound once, as the gateway binds
    claims it has verified and remembers; each call binds only the model and the tokens.
    When the call fails, the server skips the COMMIT and keeps the failed transaction open:
    it is rolled back here. `conn` must be in autocommit mode (the transaction is spelled out).
    """

    def __init__(self, conn: psycopg.Connection, claims: str) -> None:
        opening, settings = transaction_opening(
            read_role_settings(conn, USER_ROLE), USER_ROLE, claims, "record_usage", read_only=False
        )
        self._conn = conn
        self._cursor = psycopg.ClientCursor(conn)
        # A "%" in a bound value is doubled, so only the call's own placeholders stay open.
        bound = self._cursor.mogrify(opening, settings).replace("%", "%%")
        self._message = f"{bound};\n{_RECORD};\nCOMMIT"
        self._rolled_back = f"{bound};\n{_RECORD};\nROLLBACK"

    def record(self, model: UUID, tokens: int) -> bool:
        """True when recorded, False when a limit refused it."""
        return self._send(self._message, model, tokens)

    def warm_up(self, model: UUID, tokens: int) -> None:
        """One call, rolled back: a new connection's first call compiles the plpgsql
        functions and plans their statements, which a pooled connection did long ago. It
        records and charges nothing."""
        self._send(self._rolled_back, model, tokens)

    def _send(self, message: str, model: UUID, tokens: int) -> bool:
        try:
            self._cursor.execute(message, (model, tokens))
        except psycopg.Error as error:
            if not self._conn.broken and self._conn.info.transaction_status != IDLE:
                self._conn.execute("ROLLBACK")
            if error.sqlstate in REFUSALS:
                return False
            raise
        return True
