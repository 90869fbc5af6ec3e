"""UserService: what any member of an organization does with the models enabled for them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import TypeAdapter

from aimodels.client.errors import ModelNotAvailable, NotFound, api_errors
from aimodels.client.model_access import ModelAccess, proxy_url_from_env
from aimodels.client.refs import ModelRef, as_uuid, find_by_ref
from aimodels.client.reports import usage_report
from aimodels.client.rows import fetch_value
from aimodels.client.usage_rows import UsageRows, read_usage
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
    """List usable models, check quota, record usage, read one's own history.

    Every method that takes a model takes its id or its name. Raises AppError subclasses
    only (the API's refusals mapped by code).
    """

    def __init__(self, client: AIModelsClient) -> None:
        self._client = client
        self._api = client.api
        self.user_id: UUID = client.actor.user_id

    def model_access(self, proxy_url: str | None = None) -> ModelAccess:
        """Chat with your usable models (and get `openai` SDK clients signed in as you)
        through the model access service; its URL defaults to AIMODELS_PROXY_URL."""
        return ModelAccess(self._client, proxy_url or proxy_url_from_env())

    def usable_models(self) -> list[UsableModel]:
        """The models you may use now (usable_models()), with your effective limit: featured
        first, then sort order, then name."""
        with api_errors():
            response = self._api.rpc("usable_models", {}).execute()
        models = TypeAdapter(list[UsableModel]).validate_python(response.data or [])
        return sorted(models, key=lambda m: (not m.is_featured, m.sort_order, m.name.casefold()))

    def find_model(self, ref: ModelRef) -> UsableModel:
        """A model you may use, by id or name (any case), like every role's find_model.
        Raises ModelNotAvailable (a NotFound) when you may not use it."""
        try:
            return find_by_ref(self.usable_models(), ref, kind="model", scope="you may use")
        except NotFound as missing:
            raise ModelNotAvailable(missing.message, code="AM001") from missing

    def quota_status(self, model: ModelRef) -> QuotaStatus:
        """Your limit, use and remaining tokens on one model this period, with the period
        end, trial end and the org's quota. Raises ModelNotAvailable (by name), AppError."""
        request = self._api.rpc("quota_status", {"model_id": str(self._model_id(model))})
        return fetch_value(request, QuotaStatus)

    def record_usage(
        self,
        model: ModelRef,
        tokens_used: int,
        requests_count: int = 1,
        idempotency_key: str | None = None,
    ) -> RecordUsageResult:
        """Append one usage row, atomically checked by the database against every limit;
        returns the row with the tokens left. A retry with the same idempotency_key returns
        the first receipt and charges once. Raises InvalidInput (not a whole number > 0),
        ModelNotAvailable, ModelNotEnabled, TrialExpired, UserQuotaExceeded,
        OrgQuotaExceeded; nothing is recorded when it raises."""
        usage = UsageInput(
            model_id=self._model_id(model),
            tokens_used=tokens_used,
            requests_count=requests_count,
            idempotency_key=idempotency_key,
        )
        request = self._api.rpc("record_usage", usage.model_dump(mode="json", exclude_none=True))
        return fetch_value(request, RecordUsageResult)

    def usage_history(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[UsageRecord]:
        """Your own usage rows in [since, until), oldest first."""

        return read_usage(self._api, UsageRows.OWN, since, until)

    def usage_report(
        self, by: UsageGrouping, since: datetime | None = None, until: datetime | None = None
    ) -> list[UsageTotal]:
        """Your own usage totals, computed by the database."""
        return usage_report(self._api, by, since, until)

    def _model_id(self, model: ModelRef) -> UUID:
        # An id goes to the database as is: it says why a model is unusable (AM001..AM003).
        return as_uuid(model) or self.find_model(model).id
