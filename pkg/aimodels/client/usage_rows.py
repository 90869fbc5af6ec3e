"""Reading the usage log in time ranges, shared by the admin's and the user's services.

The rows come a page at a time from the API's paged functions (own_usage_rows,
org_usage_rows), each page after the last row of the one before: one walk of the caller's
index per page, however deep (docs/rules.md says why not the table).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from supabase import Client

from aimodels.client.rows import fetch_all
from aimodels.domain import UsageRecord

PAGE_ROWS = 1000  # the most one call returns


class UsageRows(StrEnum):
    """Whose rows: the caller's own, or the organization the caller administers."""

    OWN = "own_usage_rows"
    ORGANIZATION = "org_usage_rows"


def read_usage(
    api: Client,
    whose: UsageRows,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[UsageRecord]:
    """Usage rows with created_at in [since, until), oldest first (then by id)."""
    window: dict[str, str] = {}
    if since is not None:
        window["since"] = since.isoformat()
    if until is not None:
        window["until"] = until.isoformat()
    rows: list[UsageRecord] = []
    while True:
        params = {**window, "max_rows": PAGE_ROWS}
        if rows:
            params |= _after(rows[-1])
        page = fetch_all(api.rpc(whose.value, params), UsageRecord)
        rows.extend(page)
        if len(page) < PAGE_ROWS:
            return rows


def _after(last: UsageRecord) -> dict[str, str]:
    """The key of the next page: the rows after this one in (created_at, id) order."""
    if last.created_at is None:  # the log always sets it; a row without it cannot be a key
        raise ValueError(f"usage row {last.id} came back without created_at")
    return {"after_created_at": last.created_at.isoformat(), "after_id": str(last.id)}
