"""Recording usage the way the API does: one transaction per call, as the signed-in user.

Shared by benchmark 2 (cost vs history) and benchmark 3 (concurrency); benchmark 3 sends
each transaction as one message and one round trip, the leanest a client of the gateway gets.
"""

from __future__ import annotations

from uuid import UUID

import psycopg

from aimodels.bench.actors import ENTER, Actor, enter_as

BULK_MODEL = "Bench Enterprise Bulk"
EVERYDAY_MODEL = "Bench Everyday"
REFUSALS = frozenset({"AM004", "AM005"})  # a limit or quota said no: expected near a limit


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


# BEGIN, the PostgREST settings, the call and COMMIT as one simple-query message: one send,
# one round trip and one client-side execute, the same shape as the bare side's one INSERT.
_RECORD_MESSAGE = f"BEGIN; {ENTER}; {_RECORD}; COMMIT"


def record_usage_one_message(
    cursor: psycopg.ClientCursor[tuple[object, ...]], claims: str, model: UUID, tokens: int
) -> bool:
    """record_usage() as `claims` (the JSON of Actor.claims()) in one message and round trip.

    The cursor's connection must be in autocommit mode (the transaction is spelled out).
    When the call fails, the server skips the rest of the message and keeps the failed
    transaction open: it is rolled back here.
    """
    try:
        cursor.execute(_RECORD_MESSAGE, (claims, "POST", model, tokens))
    except psycopg.Error as error:
        cursor.connection.execute("ROLLBACK")
        if error.sqlstate in REFUSALS:
            return False
        raise
    return True
