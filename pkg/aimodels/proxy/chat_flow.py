"""One chat completion, start to end: resolve the model, reserve, call, settle or release.

Every database step runs as the caller (see user_database); the model's key is read with
the platform credential and handed only to the provider call.

A settlement that fails after the provider answered: the tokens were spent, so the hold is
never released (that would say nothing was). A failure to reach the database is retried
once (settle_usage settles a hold at most once, so a retry cannot charge twice); if it
fails again, or the database refused it, the hold is left to expire, which keeps the
tokens counted until then, and the log line names the hold, the model and the tokens for
reconciliation. A non-streamed answer says which in `x-aimodels-settlement`.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from pydantic import BaseModel, SecretStr, ValidationError

from aimodels.domain import QuotaStatus, RecordUsageResult, UsableModel
from aimodels.domain.reservations import UsageHold
from aimodels.proxy.accounting import Delivered, estimate_prompt_tokens
from aimodels.proxy.caller import Caller
from aimodels.proxy.errors import ErrorCode, ProxyError
from aimodels.proxy.provider_client import ProviderClient, ProviderStream, provider_model
from aimodels.proxy.wire import ChatMessage, ChatRequest, MessageRole, StreamOptions, Usage

log = logging.getLogger("aimodels.proxy")

# When neither the caller nor the catalog caps the answer.
FALLBACK_MAX_TOKENS = 4096


class PreparedCall(BaseModel):
    """A request checked against the model: what to hold, and what to send the provider."""

    model: UsableModel
    outgoing: ChatRequest
    prompt_estimate: int
    max_tokens: int
    client_wants_usage: bool

    @property
    def tokens_to_hold(self) -> int:
        return self.prompt_estimate + self.max_tokens


class OpenStream(BaseModel):
    """A reserved hold and the provider stream it pays for (closed by the relay)."""

    model_config = {"arbitrary_types_allowed": True}

    call: PreparedCall
    hold: UsageHold
    caller: Caller
    upstream: ProviderStream  # kept open


def find_model(models: list[UsableModel], ref: str) -> UsableModel | None:
    """By id, else by exact name."""
    for model in models:
        if str(model.id) == ref.strip().lower():
            return model
    return next((model for model in models if model.name == ref), None)


def prepare(model: UsableModel, request: ChatRequest) -> PreparedCall:
    """The system message first, max_tokens capped at the model's (and defaulted to it)."""
    cap = model.max_tokens or FALLBACK_MAX_TOKENS
    max_tokens = min(request.requested_max_tokens() or cap, cap)
    messages = list(request.messages)
    if model.system_message:
        messages.insert(0, ChatMessage(role=MessageRole.SYSTEM, content=model.system_message))
    update: dict[str, object] = {
        "messages": messages,
        "model": provider_model(model.endpoint or "") or model.name,
    }
    # Keep the caller's field name: newer OpenAI models refuse `max_tokens`.
    if request.max_completion_tokens is not None:
        update["max_completion_tokens"] = max_tokens
    else:
        update["max_tokens"] = max_tokens
    if request.stream:
        # Always ask for the usage chunk: it is what the hold is settled with.
        update["stream_options"] = StreamOptions(include_usage=True)
    outgoing = request.model_copy(update=update)
    return PreparedCall(
        model=model,
        outgoing=outgoing,
        prompt_estimate=estimate_prompt_tokens(messages),
        max_tokens=max_tokens,
        client_wants_usage=bool(request.stream_options and request.stream_options.include_usage),
    )


def outgoing_body(call: PreparedCall) -> dict[str, Any]:
    return call.outgoing.model_dump(mode="json", exclude_none=True)


class UserStatements(Protocol):
    """What a request runs as its caller (UserDatabase; a fake in unit tests)."""

    async def usable_models(self, caller: Caller) -> list[UsableModel]: ...
    async def visible_model_id(self, caller: Caller, name: str) -> UUID | None: ...
    async def quota_status(self, caller: Caller, model_id: UUID) -> QuotaStatus: ...
    async def reserve(
        self, caller: Caller, model_id: UUID, tokens: int, idempotency_key: str | None
    ) -> UsageHold: ...
    async def settle(
        self, caller: Caller, hold_id: UUID, tokens_used: int
    ) -> RecordUsageResult: ...
    async def release(self, caller: Caller, hold_id: UUID) -> None: ...


class ModelKeys(Protocol):
    async def model_api_key(self, model_id: UUID) -> SecretStr | None: ...


class Settlement(StrEnum):
    """How a call's hold ended after the provider answered."""

    SETTLED = "settled"
    LEFT_TO_EXPIRE = "left-to-expire"


class UsableModelsCache:
    """Each token's usable models for a few seconds, to spare a call per request.

    Safe to serve stale: the reservation runs the whole admission again (a model disabled
    meanwhile is refused there), and a model missing from a cached list is looked up afresh.
    Keyed by the token itself, so nobody is ever served another caller's list.
    """

    def __init__(self, seconds: float, max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, list[UsableModel]]] = {}

    def get(self, caller: Caller) -> list[UsableModel] | None:
        entry = self._entries.get(caller.token.get_secret_value())
        if entry is None or time.monotonic() - entry[0] > self.seconds:
            return None
        return entry[1]

    def put(self, caller: Caller, models: list[UsableModel]) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[caller.token.get_secret_value()] = (time.monotonic(), models)


class ChatService:
    def __init__(
        self,
        db: UserStatements,
        keys: ModelKeys,
        provider: ProviderClient,
        models_cache_seconds: float = 10.0,
    ) -> None:
        self.db = db
        self.keys = keys
        self.provider = provider
        self.models = UsableModelsCache(models_cache_seconds)

    async def resolve(self, caller: Caller, ref: str) -> UsableModel:
        """The caller's usable model `ref`, or the refusal that says why it is not usable."""
        cached = self.models.get(caller)
        model = find_model(cached, ref) if cached is not None else None
        if model is not None:
            return model
        models = await self.db.usable_models(caller)
        self.models.put(caller, models)
        model = find_model(models, ref)
        if model is not None:
            return model
        model_id = await self._visible_model_id(caller, ref)
        if model_id is None:
            raise ProxyError(
                ErrorCode.MODEL_NOT_AVAILABLE,
                f"the model '{ref}' is not available to you",
                param="model",
            )
        # Visible to the org but not usable: quota_status says why (AM001 when not visible).
        status = await self.db.quota_status(caller, model_id)
        if status.trial_ends_at is not None and status.trial_ends_at <= datetime.now(UTC):
            raise ProxyError(
                ErrorCode.TRIAL_EXPIRED, "your organization's trial of this model has ended"
            )
        raise ProxyError(
            ErrorCode.MODEL_NOT_ENABLED,
            "your organization has not enabled this model for its users",
        )

    async def _visible_model_id(self, caller: Caller, ref: str) -> UUID | None:
        """By id as given, else the id of the model of that exact name the org can see."""
        try:
            return UUID(ref)
        except ValueError:
            return await self.db.visible_model_id(caller, ref)

    async def reserve(
        self, caller: Caller, call: PreparedCall, idempotency_key: str | None
    ) -> UsageHold:
        hold = await self.db.reserve(caller, call.model.id, call.tokens_to_hold, idempotency_key)
        if hold.replayed:
            raise ProxyError(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "this Idempotency-Key was already used for a call; it is charged once",
                headers={"x-should-retry": "false"},
            )
        return hold

    async def complete(
        self, caller: Caller, call: PreparedCall, idempotency_key: str | None
    ) -> tuple[dict[str, Any], Settlement]:
        """A non-streamed completion; the hold is settled with the provider's usage."""
        hold = await self.reserve(caller, call, idempotency_key)
        try:
            key = await self.keys.model_api_key(call.model.id)
            answer = await self.provider.complete(
                call.model.endpoint or "", key, outgoing_body(call)
            )
        except BaseException:
            await self.release_quietly(caller, hold)
            raise
        delivered = Delivered()
        delivered.reported = _usage_of(answer)
        for choice in answer.get("choices") or []:
            if isinstance(choice, dict):
                delivered.add(str((choice.get("message") or {}).get("content") or ""))
        return answer, await self.settle(caller, call, hold, delivered)

    async def open_stream(
        self, caller: Caller, call: PreparedCall, idempotency_key: str | None
    ) -> OpenStream:
        hold = await self.reserve(caller, call, idempotency_key)
        try:
            key = await self.keys.model_api_key(call.model.id)
            upstream = await self.provider.open_stream(
                call.model.endpoint or "", key, outgoing_body(call)
            )
        except BaseException:
            await self.release_quietly(caller, hold)
            raise
        return OpenStream(call=call, hold=hold, caller=caller, upstream=upstream)

    async def finish_stream(self, stream: OpenStream, delivered: Delivered) -> None:
        """Settle what the client received; a stream that delivered nothing is released."""
        if delivered.content_chunks == 0 and delivered.reported is None:
            await self.release_quietly(stream.caller, stream.hold)
            return
        await self.settle(stream.caller, stream.call, stream.hold, delivered)

    async def settle(
        self, caller: Caller, call: PreparedCall, hold: UsageHold, delivered: Delivered
    ) -> Settlement:
        """Record what was spent; see the module's docstring for a settlement that fails."""
        tokens = delivered.tokens_to_charge(call.prompt_estimate)
        for attempt in (1, 2):
            try:
                await self.db.settle(caller, hold.id, tokens)
                break
            except ProxyError as error:
                if attempt == 1 and error.code is ErrorCode.SERVICE_UNAVAILABLE:
                    log.warning("settle of hold %s failed (%s); retrying once", hold.id, error)
                    continue
                log.error(
                    "settle failed for hold %s model %s (%s tokens): %s (%s);"
                    " the hold is left to expire",
                    hold.id,
                    call.model.id,
                    tokens,
                    error.code,
                    error.message,
                )
                return Settlement.LEFT_TO_EXPIRE
        overage = tokens - hold.tokens_held
        log.info(
            "settled hold %s model %s: %s tokens%s",
            hold.id,
            call.model.id,
            tokens,
            f" ({overage} over the hold)" if overage > 0 else "",
        )
        return Settlement.SETTLED

    async def release_quietly(self, caller: Caller, hold: UsageHold) -> None:
        try:
            await self.db.release(caller, hold.id)
        except ProxyError as error:
            log.error("release failed for hold %s: %s (it expires by itself)", hold.id, error.code)


def _usage_of(answer: dict[str, Any]) -> Usage | None:
    try:
        return Usage.model_validate(answer["usage"]) if answer.get("usage") else None
    except ValidationError:
        return None
