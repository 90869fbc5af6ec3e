"""What the development provider answers: pure, deterministic rules (no I/O).

A test can compute the exact text and usage of any request with `plan_answer`, so it can
check the service's records against what "the provider" reported, token for token.

- prompt tokens: for each message, 3 + the number of whitespace-separated words in its
  text, plus 3 for the reply's priming (the shape of OpenAI's own accounting);
- the answer: the words of the last user message (control markers removed) repeated in
  order ("ok" when there are none), one token per word;
- completion tokens: min(max_tokens, natural length), where the natural length is
  8 + prompt_tokens % 16, or N when the prompt says `[[length:N]]`; finish_reason is
  "length" when max_tokens cut it short, else "stop".

Controls, written anywhere in the last user message (they are not echoed):

| marker | effect |
| --- | --- |
| `[[fail:CODE]]` | answer HTTP CODE (400..599) with an OpenAI-shaped error, nothing else |
| `[[delay:S]]` | wait S seconds (float) before answering at all |
| `[[slow:S]]` | streams: wait S seconds before each chunk |
| `[[length:N]]` | the natural answer length is N tokens |
| `[[no-usage]]` | never report usage (neither in the body nor in the stream) |
| `[[cut:N]]` | streams: drop the connection after N content chunks, with no `[DONE]` |
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, Field

from aimodels.proxy.wire import ChatMessage, ChatRequest, MessageRole, Usage

DEFAULT_MAX_TOKENS = 256
_MARKER = re.compile(r"\[\[(fail|delay|slow|length|no-usage|cut)(?::([0-9.]+))?\]\]")


class Controls(BaseModel):
    """The markers found in a prompt."""

    fail_status: Annotated[int, Field(ge=400, le=599)] | None = None
    delay_seconds: Annotated[float, Field(ge=0)] = 0.0
    chunk_delay_seconds: Annotated[float, Field(ge=0)] = 0.0
    length: Annotated[int, Field(ge=0)] | None = None
    no_usage: bool = False
    cut_after_chunks: Annotated[int, Field(ge=0)] | None = None


class PlannedAnswer(BaseModel):
    """The whole answer to one request, decided before anything is sent."""

    words: list[str]
    usage: Usage
    finish_reason: str
    controls: Controls

    @property
    def text(self) -> str:
        return " ".join(self.words)


def count_words(text: str) -> int:
    return len(_MARKER.sub(" ", text).split())


def count_prompt_tokens(messages: list[ChatMessage]) -> int:
    return sum(3 + count_words(message.text()) for message in messages) + 3


def read_controls(text: str) -> Controls:
    found: dict[str, object] = {}
    for name, value in _MARKER.findall(text):
        if name == "fail":
            found["fail_status"] = int(float(value or 500))
        elif name == "delay":
            found["delay_seconds"] = float(value or 0)
        elif name == "slow":
            found["chunk_delay_seconds"] = float(value or 0)
        elif name == "length":
            found["length"] = int(float(value or 0))
        elif name == "no-usage":
            found["no_usage"] = True
        elif name == "cut":
            found["cut_after_chunks"] = int(float(value or 0))
    return Controls.model_validate(found)


def last_user_text(messages: list[ChatMessage]) -> str:
    for message in reversed(messages):
        if message.role is MessageRole.USER:
            return message.text()
    return ""


def plan_answer(request: ChatRequest) -> PlannedAnswer:
    """The exact answer and usage the development provider gives `request`."""
    prompt = last_user_text(request.messages)
    controls = read_controls(prompt)
    prompt_tokens = count_prompt_tokens(request.messages)
    natural = controls.length if controls.length is not None else 8 + prompt_tokens % 16
    limit = request.requested_max_tokens() or DEFAULT_MAX_TOKENS
    completion_tokens = min(limit, natural)
    source = _MARKER.sub(" ", prompt).split() or ["ok"]
    words = [source[i % len(source)] for i in range(completion_tokens)]
    return PlannedAnswer(
        words=words,
        usage=Usage(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
        ),
        finish_reason="length" if natural > limit else "stop",
        controls=controls,
    )
