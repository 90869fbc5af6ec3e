"""Chatting with usable models through the model access service, as the signed-in user.

The service speaks OpenAI's API, so the official `openai` SDK is the client: `openai()` and
`async_openai()` hand out SDK clients whose Bearer is the user's access token, read from the
session on every request (so a token about to expire is refreshed first). `chat()` and
`stream()` are the short way for one prompt.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import openai as openai_sdk
from dotenv import dotenv_values

from aimodels.client.errors import (
    ApiUnavailable,
    AppError,
    AuthError,
    Conflict,
    InvalidInput,
    ModelNotAvailable,
    ModelNotEnabled,
    OrgQuotaExceeded,
    PermissionDenied,
    TrialExpired,
    UserQuotaExceeded,
)
from aimodels.client.settings import find_env_file
from aimodels.domain import QuotaStatus, UsableModel
from aimodels.domain.chat import ChatResult, ChatUsage

if TYPE_CHECKING:
    from aimodels.client.session import AIModelsClient

PROXY_URL_ENV = "AIMODELS_PROXY_URL"

# The service's error codes -> our hierarchy (the service maps the database's refusals).
SERVICE_ERRORS: dict[str, type[AppError]] = {
    "invalid_api_key": AuthError,
    "invalid_request": InvalidInput,
    "invalid_amount": InvalidInput,
    "model_not_available": ModelNotAvailable,
    "model_not_enabled": ModelNotEnabled,
    "trial_expired": TrialExpired,
    "permission_denied": PermissionDenied,
    "user_limit_exceeded": UserQuotaExceeded,
    "org_quota_exceeded": OrgQuotaExceeded,
    "idempotency_key_reused": Conflict,
}


@contextmanager
def service_errors() -> Iterator[None]:
    """Re-raise the SDK's errors as ours, the original attached."""
    try:
        yield
    except openai_sdk.APIStatusError as error:
        code = str(error.code) if error.code else None
        cls = SERVICE_ERRORS.get(code or "", AppError)
        body = error.body if isinstance(error.body, dict) else {}
        message = str(body.get("message") or error.message)
        raise cls(message, code=code) from error
    except openai_sdk.APIConnectionError as error:
        raise ApiUnavailable(f"cannot reach the model access service: {error}") from error


def proxy_url_from_env(env_file: str | Path | None = None) -> str:
    """AIMODELS_PROXY_URL from the environment, else from `env_file` (`stack up` writes it);
    by default the nearest `.env` in the current folder or a parent, as for the API's URL."""
    path = find_env_file() if env_file is None else Path(env_file)
    file_values = dotenv_values(path) if path is not None and path.is_file() else {}
    url = os.environ.get(PROXY_URL_ENV) or file_values.get(PROXY_URL_ENV)
    if not url:
        raise InvalidInput(f"{PROXY_URL_ENV} is not set: run `aimodels stack up` or export it")
    return url.rstrip("/")


def _access_token(client: AIModelsClient) -> str:
    """The user's current access token (supabase-py refreshes it when about to expire)."""
    session = client.api.auth.get_session()
    if session is None:
        raise AuthError("not signed in: call sign_in(email, password) first")
    return session.access_token


class _SessionKey:
    """An SDK client whose key is read from the session whenever the SDK reads it (every
    request); mixed into the sync and the async SDK class alike."""

    def __init__(self, client: AIModelsClient, base_url: str, max_retries: int) -> None:
        self._session_client = client
        # The SDK requires a key at construction; the property below replaces it.
        super().__init__(base_url=base_url, api_key="session", max_retries=max_retries)  # type: ignore[call-arg]

    @property
    def api_key(self) -> str:
        return _access_token(self._session_client)

    @api_key.setter
    def api_key(self, _: str) -> None:
        """The SDK assigns its key; the session's is always the one used."""


class _SessionOpenAI(_SessionKey, openai_sdk.OpenAI):
    pass


class _SessionAsyncOpenAI(_SessionKey, openai_sdk.AsyncOpenAI):
    pass


class ModelAccess:
    """The signed-in user's door to their models (see `UserService.model_access`)."""

    def __init__(self, client: AIModelsClient, proxy_url: str) -> None:
        self._client = client
        self.proxy_url = proxy_url.rstrip("/")

    def openai(self, max_retries: int = 2) -> openai_sdk.OpenAI:
        """An `openai.OpenAI` for the service, signed in as this user."""
        return _SessionOpenAI(self._client, self.proxy_url, max_retries)

    def async_openai(self, max_retries: int = 2) -> openai_sdk.AsyncOpenAI:
        """An `openai.AsyncOpenAI` for the service, signed in as this user."""
        return _SessionAsyncOpenAI(self._client, self.proxy_url, max_retries)

    def chat(self, model: UsableModel, prompt: str, max_tokens: int | None = None) -> ChatResult:
        """One answer, whole."""
        with service_errors():
            completion = self.openai().chat.completions.create(
                model=str(model.id),
                messages=[{"role": "user", "content": prompt}],
                max_tokens=max_tokens,
            )
        choice = completion.choices[0] if completion.choices else None
        usage = completion.usage
        return self._result(
            model,
            text=(choice.message.content or "") if choice else "",
            finish_reason=choice.finish_reason if choice else None,
            usage=ChatUsage.model_validate(usage.model_dump()) if usage else None,
        )

    def stream(
        self, model: UsableModel, prompt: str, max_tokens: int | None = None
    ) -> Iterator[str | ChatResult]:
        """The answer's pieces as they arrive, then the whole result (last item)."""
        pieces: list[str] = []
        finish_reason: str | None = None
        usage: ChatUsage | None = None
        with service_errors():
            chunks = self.openai().chat.completions.create(
                model=str(model.id),
                messages=[{"role": "user", "content": prompt}],
                stream=True,
                stream_options={"include_usage": True},
                max_tokens=max_tokens,
            )
            for chunk in chunks:
                if chunk.usage is not None:
                    usage = ChatUsage.model_validate(chunk.usage.model_dump())
                for choice in chunk.choices:
                    finish_reason = choice.finish_reason or finish_reason
                    if choice.delta.content:
                        pieces.append(choice.delta.content)
                        yield choice.delta.content
        yield self._result(model, text="".join(pieces), finish_reason=finish_reason, usage=usage)

    def _result(
        self, model: UsableModel, *, text: str, finish_reason: str | None, usage: ChatUsage | None
    ) -> ChatResult:
        quota: QuotaStatus = self._client.user().quota_status(model.id)
        return ChatResult(
            model_id=model.id,
            model_name=model.name,
            text=text,
            finish_reason=finish_reason,
            usage=usage,
            tokens_remaining=quota.tokens_remaining,
            org_tokens_remaining=quota.org_remaining,
        )
