"""Remembered plans: a body-less request seen before skips parsing, planning and SQL building.

Everything from the request line to the SQL text is a pure function of the method, the path,
the query string, a few headers and the schema cache (never of the caller: role and claims
go to the transaction, not into the statement), so the result of the first request serves
every identical one until the schema cache is reloaded. Requests with a body are not
remembered: their SQL binds the body, which differs from one request to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from aimodels.gateway.db import Statement
from aimodels.gateway.rest.plan import Plan
from aimodels.gateway.rest.response import Negotiated
from aimodels.gateway.rest.schema_cache import SchemaCache

# The headers build_api_request reads; any other header cannot change the plan.
PLAN_HEADERS = ("accept", "prefer", "range", "accept-profile", "content-profile", "content-type")
MAX_ENTRIES = 1024

PlanKey = tuple[str, str, str, tuple[tuple[str, ...], ...]]


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """A planned request and its statement, valid for the schema cache it was planned on."""

    schema_cache: SchemaCache
    plan: Plan
    media: Negotiated
    query: Statement


class PlanCache:
    """A bounded map from PlanKey to PreparedRequest; emptied when full (no LRU bookkeeping)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: dict[PlanKey, PreparedRequest] = {}
        self._max_entries = max_entries

    def get(self, key: PlanKey, schema_cache: SchemaCache) -> PreparedRequest | None:
        entry = self._entries.get(key)
        if entry is None or entry.schema_cache is not schema_cache:
            return None
        return entry

    def put(self, key: PlanKey, entry: PreparedRequest) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = entry
