"""How many tokens to hold before a call, and to charge when a provider reports none.

Both err on the high side: a hold that is too small lets concurrent calls overshoot a
limit, and an uncounted stream is free model use. Half a UTF-8 byte per token is above
what real tokenizers produce for text (about four bytes per token in English, three per
CJK character), and above the development provider's one token per word.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, Field

from aimodels.proxy.wire import ChatMessage, Usage

PER_MESSAGE_TOKENS = 4
PRIMING_TOKENS = 3


def text_tokens_upper_bound(text: str) -> int:
    return math.ceil(len(text.encode()) / 2)


def estimate_prompt_tokens(messages: list[ChatMessage]) -> int:
    """An upper bound of the prompt's tokens, without the model's tokenizer."""
    return (
        sum(PER_MESSAGE_TOKENS + text_tokens_upper_bound(m.text()) for m in messages)
        + PRIMING_TOKENS
    )


class Delivered(BaseModel):
    """What a stream has handed the client so far, and the usage the provider reported."""

    content_chunks: Annotated[int, Field(ge=0)] = 0
    content_bytes: Annotated[int, Field(ge=0)] = 0
    reported: Usage | None = None

    def add(self, content: str) -> None:
        if content:
            self.content_chunks += 1
            self.content_bytes += len(content.encode())

    def tokens_to_charge(self, prompt_estimate: int) -> int:
        """The provider's total when it reported one, else a conservative count."""
        if self.reported is not None and self.reported.total_tokens > 0:
            return self.reported.total_tokens
        completion = max(self.content_chunks, math.ceil(self.content_bytes / 2))
        return prompt_estimate + completion
