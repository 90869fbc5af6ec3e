"""EXPLAIN as PostgREST serves it (db-plan-enabled): `Accept: application/vnd.pgrst.plan`.

`application/vnd.pgrst.plan+json` answers EXPLAIN (FORMAT JSON) of the request's main
statement, `+text` (or no suffix) the text format; `options=analyze|verbose|settings|
buffers|wal` adds those EXPLAIN options; `for="<media>"` names the media the plan is for
(application/json by default). Off by default, as in PostgREST; an ANALYZE of a write is
rolled back, so a plan never changes data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from psycopg import AsyncConnection

from aimodels.gateway.db import Statement
from aimodels.gateway.rest import errors

PLAN_MEDIA = "application/vnd.pgrst.plan"


class PlanFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


class PlanOption(StrEnum):
    ANALYZE = "analyze"
    VERBOSE = "verbose"
    SETTINGS = "settings"
    BUFFERS = "buffers"
    WAL = "wal"


@dataclass(frozen=True)
class PlanRequest:
    format: PlanFormat
    options: tuple[PlanOption, ...]
    for_media: str

    @property
    def content_type(self) -> str:
        return f'{PLAN_MEDIA}+{self.format.value}; for="{self.for_media}"; charset=utf-8'


def requested_plan(accept: tuple[str, ...]) -> PlanRequest | None:
    """The plan the client asks for first in Accept, or None (then the rows are served)."""
    if not accept or not accept[0].startswith(PLAN_MEDIA):
        return None
    media, *params = accept[0].split(";")
    suffix = media.removeprefix(PLAN_MEDIA)
    if suffix not in ("", "+json", "+text"):
        return None
    options: list[PlanOption] = []
    for_media = "application/json"
    for param in params:
        key, _, value = param.partition("=")
        if key == "options":
            for name in filter(None, value.split("|")):
                try:
                    options.append(PlanOption(name))
                except ValueError:
                    raise errors.media_type_error(list(accept)) from None
        elif key == "for":
            for_media = value.strip('"')
    plan_format = PlanFormat.JSON if suffix == "+json" else PlanFormat.TEXT
    return PlanRequest(plan_format, tuple(dict.fromkeys(options)), for_media)


def _explain_prefix(plan: PlanRequest) -> bytes:
    words = [f"FORMAT {plan.format.value.upper()}", *(o.value.upper() for o in plan.options)]
    return f"EXPLAIN ({', '.join(words)}) ".encode()


async def explain(
    conn: AsyncConnection, statement: Statement, plan: PlanRequest, *, writes: bool
) -> bytes:
    """The plan's body; run inside the request's transaction (its role and settings)."""
    text = statement.text
    if not isinstance(text, bytes):
        text = text.as_bytes(conn)
    query = _explain_prefix(plan) + text
    rollback = writes and PlanOption.ANALYZE in plan.options
    async with conn.cursor() as cur:
        if rollback:
            await cur.execute("savepoint pgrst_explain")
        await cur.execute(query, statement.params)
        rows = await cur.fetchall()
        if rollback:
            await cur.execute("rollback to savepoint pgrst_explain")
    if plan.format is PlanFormat.JSON:
        document = rows[0][0] if rows else []
        return (document if isinstance(document, str) else json.dumps(document)).encode()
    return "\n".join(str(row[0]) for row in rows).encode()
