"""32 concurrent streamed completions against a limit that fits only some of them: no
overshoot, every hold settled or released, and the counters equal the rows."""

from __future__ import annotations

import asyncio
from collections import Counter

import openai

from aimodels.proxy.dev_answers import plan_answer
from aimodels.proxy.wire import ChatRequest
from aimodels.stack.state import StackInfo
from tests.proxy.support import IMMIGRATION_SYSTEM_MESSAGE, USER1, Database, access_token

CALLS = 32
ROOM = 600  # tokens left under the limit: a few calls' holds, far from all 32 calls' use


async def _stream_all(stack: StackInfo) -> Counter[str]:
    assert stack.proxy_url is not None
    client = openai.AsyncOpenAI(
        base_url=stack.proxy_url, api_key=access_token(stack, USER1), max_retries=0
    )

    async def one(index: int) -> str:
        # The same number of words for every call: the provider reports the same usage.
        try:
            stream = await client.chat.completions.create(
                model="Immigration Case Assistant",
                messages=[{"role": "user", "content": f"[[slow:0.02]] call {index}"}],
                max_tokens=40,
                stream=True,
                stream_options={"include_usage": True},
            )
            async for _ in stream:
                pass
        except openai.RateLimitError as error:
            return str(error.code)
        return "ok"

    return Counter(await asyncio.gather(*(one(i) for i in range(CALLS))))


def _provider_total() -> int:
    request = ChatRequest.model_validate(
        {
            "model": "x",
            "messages": [
                {"role": "system", "content": IMMIGRATION_SYSTEM_MESSAGE},
                {"role": "user", "content": "[[slow:0.02]] call 0"},
            ],
            "max_tokens": 40,
        }
    )
    return plan_answer(request).usage.total_tokens


def test_concurrent_streams_never_overshoot_and_every_hold_ends(fresh: StackInfo) -> None:
    db = Database(fresh.db_url)
    counter_before, rows_before = db.window_consistency()
    db.set_user_limit(rows_before + ROOM)
    org_before = db.org_used()
    since = db.now()

    outcomes = asyncio.run(_stream_all(fresh))

    assert set(outcomes) == {"ok", "user_limit_exceeded"}, outcomes
    assert outcomes["ok"] >= 1 and outcomes["user_limit_exceeded"] >= 1, outcomes
    recorded = db.usage_since(since)
    assert len(recorded) == outcomes["ok"], "one row per answered call, none per refusal"
    assert set(recorded) == {_provider_total()}, "every row is what the provider reported"
    assert sum(recorded) <= ROOM, "no overshoot of the user's limit"
    holds = db.holds_since(since)
    assert len(holds) == outcomes["ok"], "refused calls took no hold"
    assert {status for status, _, _ in holds} == {"settled"}, "every hold ended settled"
    assert [settled for _, _, settled in holds] == recorded
    counter, rows = db.window_consistency()
    assert counter == rows, "the window counter equals the rows"
    assert counter - counter_before == sum(recorded)
    assert db.org_used() - org_before == sum(recorded), "the org counter moved by the rows"
