"""The platform's one call: the model's API key, read through the Supabase API.

Made with the platform credential (the service_role key): users may never read a key, yet
the service must send it to the provider. Nothing else uses this credential; a user's own
statements run as that user on the service's database pool (see user_database). The key
is returned as a SecretStr, cached in memory for a few seconds, and never logged.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import UUID

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from aimodels.proxy.errors import ErrorCode, ProxyError, refusal
from aimodels.proxy.settings import ProxySettings


class PlatformApi:
    def __init__(self, settings: ProxySettings, http: httpx.AsyncClient) -> None:
        self._rpc_url = f"{settings.api_url}/rest/v1/rpc"
        self._service_role_key = settings.service_role_key
        self._http = http
        self._key_cache_seconds = settings.key_cache_seconds
        self._keys: dict[UUID, tuple[float, SecretStr | None]] = {}
        # One read per model at a time: calls arriving as the cached key expires wait for
        # that read instead of each making their own.
        self._reading: dict[UUID, asyncio.Lock] = {}

    async def model_api_key(self, model_id: UUID) -> SecretStr | None:
        """The model's key, read with the platform credential; None when none is set."""
        async with self._reading.setdefault(model_id, asyncio.Lock()):
            cached = self._keys.get(model_id)
            if cached is not None and time.monotonic() - cached[0] < self._key_cache_seconds:
                return cached[1]
            data = await self._call("get_model_api_key", {"model_id": str(model_id)})
            key = SecretStr(data) if isinstance(data, str) and data else None
            self._keys[model_id] = (time.monotonic(), key)
            return key

    async def _call(self, name: str, args: dict[str, Any]) -> Any:
        credential = self._service_role_key.get_secret_value()
        headers = {"apikey": credential, "authorization": f"Bearer {credential}"}
        try:
            response = await self._http.post(f"{self._rpc_url}/{name}", json=args, headers=headers)
        except httpx.TransportError as error:
            raise ProxyError(
                ErrorCode.SERVICE_UNAVAILABLE,
                f"the API is unreachable ({type(error).__name__})",
            ) from error
        if response.status_code >= 400:
            raise api_failure(response)
        return response.json() if response.content else None


class _ApiError(BaseModel):
    code: str | None = None
    message: str | None = None
    details: str | None = None


def api_failure(response: httpx.Response) -> ProxyError:
    """The API's error as ours: a refusal by its code, else a 503 that says what the API
    answered (status and code, never its body, which could echo what was sent)."""
    try:
        error = _ApiError.model_validate(response.json())
    except (ValueError, ValidationError):
        error = _ApiError()
    known = refusal(error.code or "", error.message, error.details)
    if known is not None:
        return known
    answered = f"{response.status_code} {error.code}" if error.code else str(response.status_code)
    return ProxyError(ErrorCode.SERVICE_UNAVAILABLE, f"the API answered {answered}")
