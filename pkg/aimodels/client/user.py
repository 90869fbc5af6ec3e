"""UserService: what any member of an organization does with the models enabled for them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import TypeAdapter

from aimodels.client.errors import api_errors
from aimodels.client.model_access import ModelAccess, proxy_url_from_env
from aimodels.client.refs import find_by_ref
from aimodels.client.reports import usage_report
from aimodels.client.rows import fetch_value
from aimodels.client.usage_rows import read_usage
from aimodels.domain import (
    QuotaStatus,
    RecordUsageResult,
    UsableModel,
    UsageGrouping,
    UsageInput,
    UsageRecord,
    UsageTotal,
)

if TYPE_CHECKING:
    from aimodels.client.session import AIModelsClient


class UserService:
    """List usable models, check quota, record usage, read one's own history."""

    def __init__(self, client: AIModelsClient) -> None:
        self._client = client
        self._api = client.api
        self.user_id: UUID = client.actor.user_id

    def model_access(self, proxy_url: str | None = None) -> ModelAccess:
        """Chat with your usable models (and get `openai` SDK clients signed in as you)
        through the model access service; its URL defaults to AIMODELS_PROXY_URL."""
        return ModelAccess(self._client, proxy_url or proxy_url_from_env())

    def usable_models(self) -> list[UsableModel]:
        """usable_models(): featured first, then sort_order, then name."""
        with api_errors():
            response = self._api.rpc("usable_models", {}).execute()
        models = TypeAdapter(list[UsableModel]).validate_python(response.data or [])
        return sorted(models, key=lambda m: (not m.is_featured, m.sort_order, m.name.casefold()))

    def find_model(self, ref: str | UUID) -> UsableModel:
        """A usable model by id or name (NotFound if it is not usable by you)."""
        return find_by_ref(self.usable_models(), ref, kind="usable model")

    def quota_status(self, model_id: UUID) -> QuotaStatus:
        """Limit, used, remaining, period end, trial end and org quota for one model."""
        request = self._api.rpc("quota_status", {"model_id": str(model_id)})
        return fetch_value(request, QuotaStatus)

    def record_usage(
        self,
        model_id: UUID,
        tokens_used: int,
        requests_count: int = 1,
        idempotency_key: str | None = None,
    ) -> RecordUsageResult:
        """Append one usage row, atomically checked by the database against every limit.
        A retry with the same idempotency_key returns the first receipt and charges once."""
        with api_errors():
            usage = UsageInput(
                model_id=model_id,
                tokens_used=tokens_used,
                requests_count=requests_count,
                idempotency_key=idempotency_key,
            )
        request = self._api.rpc("record_usage", usage.model_dump(mode="json", exclude_none=True))
        return fetch_value(request, RecordUsageResult)

    def usage_history(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[UsageRecord]:
        """Your own usage rows (an admin's client would also see the org's: filter to self)."""

        return read_usage(self._api, "user_id", self.user_id, since, until)

    def usage_report(
        self, by: UsageGrouping, since: datetime | None = None, until: datetime | None = None
    ) -> list[UsageTotal]:
        """Your own usage totals, computed by the database."""
        return usage_report(self._api, by, since, until)
