"""The benchmarks' intermittent 503: a user's statements no longer queue behind the API.

Under load the gateway in front of the database answers 504 PGRST003 once no connection of
its pool is free within its wait; the service used to turn that into 503 for the whole
call. A user's statements now run on the service's own pool, so an API that cannot serve
them does not fail a call; only the platform's key read still goes through the API.
"""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from aimodels.stack.state import StackInfo
from tests.proxy.api_stub import saturated_api
from tests.proxy.support import IMMIGRATION, USER1, Database, access_token, start_proxy

PROMPT = [{"role": "user", "content": "hello"}]


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
                model=str(IMMIGRATION),
                messages=PROMPT,  # type: ignore[arg-type]
            )
        finally:
            proxy.stop()
    assert answer.usage is not None
    assert db.usage_since(since) == [answer.usage.total_tokens]


def test_a_failed_key_read_says_what_the_api_answered_and_holds_nothing(
    seeded: StackInfo, db: Database, tmp_path: Path
) -> None:
    with saturated_api(key=None) as api_url:
        proxy = start_proxy(seeded.model_copy(update={"api_url": api_url}), tmp_path)
        try:
            since = db.now()
            sdk = openai.OpenAI(
                base_url=f"{proxy.url}/v1", api_key=access_token(seeded, USER1), max_retries=0
            )
            with pytest.raises(openai.InternalServerError) as raised:
                sdk.chat.completions.create(model=str(IMMIGRATION), messages=PROMPT)  # type: ignore[arg-type]
        finally:
            proxy.stop()
    error = raised.value
    assert (error.status_code, error.code) == (503, "service_unavailable")
    assert "the API answered 504 PGRST003" in error.message
    log = (tmp_path / "proxy.log").read_text()
    for secret in (seeded.service_role_key, seeded.jwt_secret):
        assert secret not in str(error.body) and secret not in log
    assert db.usage_since(since) == []
    assert [status for status, _, _ in db.holds_since(since)] == ["released"]
