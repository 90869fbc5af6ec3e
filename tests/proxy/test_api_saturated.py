"""The benchmarks' intermittent 503: a user's statements no longer queue behind the API.

Under load the gateway in front of the database answers 504 PGRST003 once no connection of
its pool is free within its wait; the service used to turn that into 503 for the whole
call. A user's statements now run on the service's own pool, so an API that cannot serve
them does not fail a call; only the platform's key read still goes through the API.
"""

from __future__ import annotations

from pathlib import Path

import openai

from aimodels.stack.state import StackInfo
from tests.proxy.api_stub import saturated_api
from tests.proxy.support import IMMIGRATION, USER1, Database, access_token, start_proxy


def test_a_saturated_api_does_not_fail_a_users_call(
    seeded: StackInfo, db: Database, tmp_path: Path
) -> None:
    with saturated_api(key="sk-unused-by-the-dev-provider") as api_url:
        proxy = start_proxy(seeded.model_copy(update={"api_url": api_url}), tmp_path)
        try:
            since = db.now()
            sdk = openai.OpenAI(
                base_url=f"{proxy.url}/v1", api_key=access_token(seeded, USER1), max_retries=0
            )
            answer = sdk.chat.completions.create(
                model=str(IMMIGRATION), messages=[{"role": "user", "content": "hello"}]
            )
        finally:
            proxy.stop()
    assert answer.usage is not None
    assert db.usage_since(since) == [answer.usage.total_tokens]
