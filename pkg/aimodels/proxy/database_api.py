"""The service's statements, each an RPC through the Supabase API.

Every call that concerns a user's request is made with that user's own access token, so
PostgREST runs it as role `authenticated` with the user's verified claims and Postgres
decides. The one exception is `model_api_key`, made with the platform credential: users
may never read a key, yet the service must send it to the provider. The key is returned as
a SecretStr, cached in memory for a few seconds, and never logged.
"""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import httpx
from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError

from aimodels.domain import QuotaStatus, RecordUsageResult, UsableModel
from aimodels.domain.reservations import UsageHold
from aimodels.proxy.errors import SQLSTATE_CODES, ErrorCode, ProxyError
from aimodels.proxy.settings import ProxySettings

T = TypeVar("T", bound=BaseModel)

# The admission's refusal details end with when the refused amount would fit again.
_RETRY_AT = re.compile(r"(?:period_end|reset_at)=([0-9T:. +\-]+)")


class DatabaseApi:
    """RPCs as the caller (their Bearer token) and the one platform read."""

    def __init__(self, settings: ProxySettings, http: httpx.AsyncClient) -> None:
        self._rpc_url = f"{settings.api_url}/rest/v1/rpc"
        self._anon_key = settings.anon_key
        self._service_role_key = settings.service_role_key
        self._http = http
        self._key_cache_seconds = settings.key_cache_seconds
        self._keys: dict[UUID, tuple[float, SecretStr | None]] = {}

    async def usable_models(self, token: str) -> list[UsableModel]:
        data = await self._call(token, "usable_models", {})
        return TypeAdapter(list[UsableModel]).validate_python(data or [])

    async def quota_status(self, token: str, model_id: UUID) -> QuotaStatus:
        data = await self._call(token, "quota_status", {"model_id": str(model_id)})
        return QuotaStatus.model_validate(data)

    async def reserve(
        self, token: str, model_id: UUID, tokens: int, idempotency_key: str | None
    ) -> UsageHold:
        data = await self._call(
            token,
            "reserve_usage",
            {
                "model_id": str(model_id),
                "max_tokens": tokens,
                "requests_count": 1,
                "idempotency_key": idempotency_key,
            },
        )
        return UsageHold.model_validate(data)

    async def settle(self, token: str, hold_id: UUID, tokens_used: int) -> RecordUsageResult:
        data = await self._call(
            token, "settle_usage", {"reservation_id": str(hold_id), "tokens_used": tokens_used}
        )
        return RecordUsageResult.model_validate(data)

    async def release(self, token: str, hold_id: UUID) -> None:
        await self._call(token, "release_usage", {"reservation_id": str(hold_id)})

    async def model_api_key(self, model_id: UUID) -> SecretStr | None:
        """The model's key, read with the platform credential; None when none is set."""
        cached = self._keys.get(model_id)
        if cached is not None and time.monotonic() - cached[0] < self._key_cache_seconds:
            return cached[1]
        data = await self._call(
            self._service_role_key.get_secret_value(),
            "get_model_api_key",
            {"model_id": str(model_id)},
            apikey=self._service_role_key,
        )
        key = SecretStr(data) if isinstance(data, str) and data else None
        self._keys[model_id] = (time.monotonic(), key)
        return key

    async def _call(
        self, token: str, name: str, args: dict[str, Any], *, apikey: SecretStr | None = None
    ) -> Any:
        headers = {
            "apikey": (apikey or self._anon_key).get_secret_value(),
            "authorization": f"Bearer {token}",
        }
        try:
            response = await self._http.post(f"{self._rpc_url}/{name}", json=args, headers=headers)
        except httpx.TransportError as error:
            raise ProxyError(
                ErrorCode.SERVICE_UNAVAILABLE, f"the API is unreachable ({type(error).__name__})"
            ) from error
        if response.status_code >= 400:
            raise _refusal(response)
        return response.json() if response.content else None


class _ApiError(BaseModel):
    code: str | None = None
    message: str | None = None
    details: str | None = None


def _refusal(response: httpx.Response) -> ProxyError:
    """The API's error as ours: the refusal's name as code, the database's message."""
    try:
        error = _ApiError.model_validate(response.json())
    except (ValueError, ValidationError):
        error = _ApiError()
    if response.status_code == 401:
        code = ErrorCode.INVALID_API_KEY
    else:
        code = SQLSTATE_CODES.get(error.code or "", ErrorCode.SERVICE_UNAVAILABLE)
    message = error.message or f"the API answered {response.status_code}"
    # "user_limit_exceeded: this would ..." -> the sentence after the code's name.
    message = message.split(": ", 1)[1] if message.startswith(f"{code}: ") else message
    if code is ErrorCode.INVALID_API_KEY:
        message = "invalid or expired access token: sign in again"
    headers: dict[str, str] = {}
    if code in (ErrorCode.USER_LIMIT_EXCEEDED, ErrorCode.ORG_QUOTA_EXCEEDED):
        # The SDKs retry 429s unless told not to; this refusal lasts until the period ends.
        headers = {"x-should-retry": "false", "retry-after": str(_seconds_until(error.details))}
    return ProxyError(code, message, headers=headers)


def _seconds_until(details: str | None, now: datetime | None = None) -> int:
    match = _RETRY_AT.search(details or "")
    if match is None:
        return 60
    try:
        at = datetime.fromisoformat(match.group(1).strip())
    except ValueError:
        return 60
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return max(1, math.ceil((at - (now or datetime.now(UTC))).total_seconds()))
