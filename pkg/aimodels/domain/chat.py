"""A chat with a model through the model access service: what came back and what is left."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict


class ChatUsage(BaseModel):
    model_config = ConfigDict(frozen=True)

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatResult(BaseModel):
    """One answer, the tokens it used (as the provider reported them), and what is left:
    None means unlimited (a free model, no per-user limit, no org quota)."""

    model_config = ConfigDict(frozen=True)

    model_id: UUID
    model_name: str
    text: str
    finish_reason: str | None = None
    usage: ChatUsage | None = None
    tokens_remaining: int | None = None
    org_tokens_remaining: int | None = None
