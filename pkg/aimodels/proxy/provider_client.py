"""Calls to a model's OpenAI-compatible endpoint, with the model's key.

Works with OpenAI, Azure OpenAI, vLLM, Ollama and llama.cpp: the endpoint is the full
chat-completions URL, or a base URL (…/v1) to which `/chat/completions` is added, and may
name the provider's own model after a `#` (`https://api.openai.com/v1#gpt-4o-mini`);
without one, the catalog's model name is sent. The key
goes in `Authorization: Bearer` and, for Azure, in `api-key`. Nothing here logs or raises
with the key or the provider's body: a provider may echo credentials in its errors.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from aimodels.proxy.errors import ErrorCode, ProxyError


def provider_model(endpoint: str) -> str | None:
    """The provider's own model name, written after `#` in the endpoint
    (`https://api.openai.com/v1#gpt-4o-mini`); None when the endpoint names none."""
    return endpoint.partition("#")[2].strip() or None


def chat_url(endpoint: str) -> str:
    """The chat-completions URL of an endpoint (its `#model` part is never sent)."""
    endpoint = endpoint.partition("#")[0]
    base, _, query = endpoint.partition("?")
    base = base.rstrip("/")
    if not base.endswith("/chat/completions"):
        base += "/chat/completions"
    return f"{base}?{query}" if query else base


def _headers(key: SecretStr | None) -> dict[str, str]:
    if key is None:
        return {}
    secret = key.get_secret_value()
    return {"authorization": f"Bearer {secret}", "api-key": secret}


def provider_failure(error: Exception | int) -> ProxyError:
    """A 502/504 that says what failed, never what the provider said (it may echo a key)."""
    if isinstance(error, httpx.TimeoutException):
        return ProxyError(ErrorCode.PROVIDER_TIMEOUT, "the model's provider timed out")
    if isinstance(error, int):
        return ProxyError(ErrorCode.PROVIDER_ERROR, f"the model's provider answered {error}")
    return ProxyError(
        ErrorCode.PROVIDER_ERROR, f"the model's provider failed ({type(error).__name__})"
    )


class ProviderClient:
    def __init__(self, http: httpx.AsyncClient, timeout: float) -> None:
        self._http = http
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))

    async def complete(
        self, endpoint: str, key: SecretStr | None, body: dict[str, Any]
    ) -> dict[str, Any]:
        """The provider's JSON answer; ProxyError 502/504 on any failure."""
        try:
            response = await self._http.post(
                chat_url(endpoint), json=body, headers=_headers(key), timeout=self._timeout
            )
        except httpx.HTTPError as error:
            raise provider_failure(error) from None
        if response.status_code >= 400:
            raise provider_failure(response.status_code)
        try:
            answer = response.json()
        except ValueError:
            raise provider_failure(ValueError("not JSON")) from None
        if not isinstance(answer, dict):
            raise provider_failure(ValueError("not an object"))
        return answer

    async def open_stream(
        self, endpoint: str, key: SecretStr | None, body: dict[str, Any]
    ) -> httpx.Response:
        """The provider's open event stream, its status checked (502/504 before any byte).

        The caller closes it (`aclose`) once the stream is relayed.
        """
        request = self._http.build_request(
            "POST", chat_url(endpoint), json=body, headers=_headers(key), timeout=self._timeout
        )
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as error:
            raise provider_failure(error) from None
        if response.status_code >= 400:
            await response.aclose()
            raise provider_failure(response.status_code)
        return response
