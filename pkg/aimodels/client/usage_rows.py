"""Reading the usage log in time ranges, shared by the admin's and the user's services."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from postgrest import SyncSelectRequestBuilder
from supabase import Client

from aimodels.client.rows import fetch_pages
from aimodels.domain import UsageRecord


def read_usage(
    api: Client,
    column: str,
    value: UUID,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[UsageRecord]:
    """Usage rows where `column` = value and created_at in [since, until), oldest first."""

    def request() -> SyncSelectRequestBuilder:
        query = api.table("ai_model_usage").select("*").eq(column, str(value))
        if since is not None:
            query = query.gte("created_at", since.isoformat())
        if until is not None:
            query = query.lt("created_at", until.isoformat())
        return query.order("created_at").order("id")

    return fetch_pages(request, UsageRecord)
