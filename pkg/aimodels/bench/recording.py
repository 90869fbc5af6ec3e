"""Recording usage the way the API does: one transaction per call, as the signed-in user.

Shared by benchmark 2 (cost vs history) and benchmark 3 (concurrency); benchmark 3 sends
each transaction as one pipelined round trip, the leanest a client of the gateway gets.
"""

from __future__ import annotations

from uuid import UUID

import psycopg

from aimodels.bench.actors import Actor, enter_as, enter_statement

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


def record_usage_pipelined(conn: psycopg.Connection, claims: str, model: UUID, tokens: int) -> bool:
    """record_usage() in one round trip: BEGIN, the settings, the call, COMMIT, pipelined.

    `claims` is the JSON of Actor.claims(), made once per session: the gateway takes them
    from a token it has verified and remembers, not rebuilt per call (building them per call
    cost the shared cores more client CPU than the bare side's whole call). Statements are
    server-bound and prepared after a few calls, as PostgREST prepares them and as the bare
    side's INSERT is. `conn` must be in autocommit mode (the transaction is spelled out).
    When the call fails, the server skips the COMMIT and keeps the failed transaction open:
    it is rolled back here.
    """
    raised: psycopg.Error | None = None
    enter = enter_statement(conn)  # read once per connection, before the pipeline
    try:
        with conn.pipeline():
            try:
                conn.execute("BEGIN")
                conn.execute(enter, (claims, "POST"))
                conn.execute(_RECORD, (model, tokens))
                conn.execute("COMMIT")
            except psycopg.Error as error:
                raised = error
    except psycopg.Error as error:
        # Leaving the pipeline syncs it and raises the first error (again, if already kept).
        raised = raised or error
    if raised is None:
        return True
    conn.execute("ROLLBACK")
    if raised.sqlstate in REFUSALS:
        return False
    raise raised
