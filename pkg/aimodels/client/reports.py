"""Usage reports: totals computed by the database (usage_report), for whoever is signed in.

Row level security decides what a report covers (a user's own usage, an admin's
organization, everything for a superadmin); the client adds nothing up itself.
"""

from __future__ import annotations

from datetime import datetime

from postgrest import SyncSelectRequestBuilder
from supabase import Client

from aimodels.client.rows import fetch_pages
from aimodels.domain import UsageGrouping, UsageTotal


def usage_report(
    api: Client,
    by: UsageGrouping,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[UsageTotal]:
    """usage_report(by, since, until): totals per group of the rows you may read."""
    args = {
        "group_by": str(by),
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }

    def request() -> SyncSelectRequestBuilder:
        # One report line per group; pages only for very long ones (the API's max_rows).
        return api.rpc("usage_report", args)  # type: ignore[return-value]

    return fetch_pages(request, UsageTotal)
