"""Calls to a model's OpenAI-compatible endpoint, with the model's key.

Works with OpenAI, Azure OpenAI, vLLM, Ollama and llama.cpp: the endpoint is the full
chat-completions URL, or a base URL (…/v1) to which `/chat/completions` is added, and may
name the provider's own model after a `#` (`https://api.openai.com/v1#gpt-4o-mini`);
without one, the catalog's model name is sent. The key
goes in `Authorization: Bearer` and, for Azure, in `api-key`. Nothing here logs or raises
with the key or the provider's body: a provider may echo credentials in its errors.
"""

from __future__ import annotations

import functools
import json
import urllib.request
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from pydantic import SecretStr

from aimodels.proxy.errors import ErrorCode, ProxyError

# Every provider call's connection pool: kept alive between calls (no handshake per call).
MAX_CONNECTIONS = 200
# An idle connection is dropped before common servers close theirs (uvicorn, so vLLM, and
# Node close after 5 s): a call sent on a connection the server is closing fails.
KEEPALIVE_SECONDS = 4.0


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
    headers = {"content-type": "application/json"}
    if key is not None:
        secret = key.get_secret_value()
        headers.update({"authorization": f"Bearer {secret}", "api-key": secret})
    return headers


def provider_failure(error: Exception | int) -> ProxyError:
    """A 502/504 that says what failed, never what the provider said (it may echo a key)."""
    if isinstance(error, TimeoutError):
        return ProxyError(ErrorCode.PROVIDER_TIMEOUT, "the model's provider timed out")
    if isinstance(error, int):
        return ProxyError(ErrorCode.PROVIDER_ERROR, f"the model's provider answered {error}")
    return ProxyError(
        ErrorCode.PROVIDER_ERROR, f"the model's provider failed ({type(error).__name__})"
    )


class ProviderBrokeOff(Exception):
    """A stream the provider began ended in a failure (cut, timed out): `failure` says which."""

    def __init__(self, failure: ProxyError) -> None:
        super().__init__(failure.message)
        self.failure = failure


class ProviderStream:
    """A provider's open event stream, read line by line; `aclose` once relayed."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self._complete = False

    async def lines(self) -> AsyncIterator[str]:
        """The stream's lines without their ends; ProviderBrokeOff if it breaks off."""
        pending = b""
        try:
            # Split whole lines here rather than with readline(): no line length limit, and
            # a UTF-8 character cut between two reads is decoded whole.
            async for data in self._response.content.iter_any():
                *complete, pending = (pending + data).split(b"\n")
                for line in complete:
                    yield line.rstrip(b"\r").decode()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise ProviderBrokeOff(provider_failure(error)) from None
        self._complete = True
        if pending:
            yield pending.rstrip(b"\r").decode()

    async def aclose(self) -> None:
        # A stream whose body has ended (read to its end, or only its last empty line left
        # after `[DONE]`) hands its connection back for the next call; one cut short (the
        # client went away) is closed, so no one reads its rest.
        if self._complete or self._response.content.is_eof():
            self._response.release()
        else:
            self._response.close()


def provider_session() -> aiohttp.ClientSession:
    """The provider calls' HTTP client, one per service: keep-alive connections, and no
    cookie jar (a cookie one caller's call received must never ride along another's)."""
    # Not trust_env: aiohttp would read ~/.netrc and the proxy variables again on every
    # call, in a thread; env_proxy reads them once per host instead.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS, keepalive_timeout=KEEPALIVE_SECONDS),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


@functools.lru_cache(maxsize=256)
def env_proxy(scheme: str, host: str) -> str | None:
    """The HTTP(S)_PROXY a call to `host` goes through, None when NO_PROXY exempts it or
    none is set: read once per host (a running service's environment does not change)."""
    proxies = urllib.request.getproxies_environment()
    if urllib.request.proxy_bypass(host):
        return None
    return proxies.get(scheme)


def _proxy_for(url: str) -> str | None:
    parts = urlsplit(url)
    return env_proxy(parts.scheme, parts.hostname or "")


class ProviderClient:
    def __init__(self, http: aiohttp.ClientSession, timeout: float) -> None:
        self._http = http
        # `sock_read` bounds each wait for the provider's next bytes: its answer's start,
        # then every chunk of a stream.
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=timeout, sock_connect=min(timeout, 10.0), sock_read=timeout
        )

    async def complete(
        self, endpoint: str, key: SecretStr | None, body: dict[str, Any]
    ) -> dict[str, Any]:
        """The provider's JSON answer; ProxyError 502/504 on any failure."""
        try:
            url = chat_url(endpoint)
            async with self._http.post(
                url,
                data=_json(body),
                headers=_headers(key),
                timeout=self._timeout,
                proxy=_proxy_for(url),
            ) as response:
                if response.status >= 400:
                    raise provider_failure(response.status)
                raw = await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise provider_failure(error) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise provider_failure(ValueError("not JSON")) from None
        if not isinstance(answer, dict):
            raise provider_failure(ValueError("not an object"))
        return answer

    async def open_stream(
        self, endpoint: str, key: SecretStr | None, body: dict[str, Any]
    ) -> ProviderStream:
        """The provider's open event stream, its status checked (502/504 before any byte).

        The caller closes it (`aclose`) once the stream is relayed.
        """
        try:
            url = chat_url(endpoint)
            response = await self._http.post(
                url,
                data=_json(body),
                headers=_headers(key),
                timeout=self._timeout,
                proxy=_proxy_for(url),
            )
        except (aiohttp.ClientError, TimeoutError) as error:
            raise provider_failure(error) from None
        if response.status >= 400:
            response.close()
            raise provider_failure(response.status)
        return ProviderStream(response)


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
