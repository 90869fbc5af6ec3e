"""Every refusal arrives as the SDK's typed error, at once (no retry), with nothing recorded
and nothing held: OpenAI's error shape, the refusal's name as `code`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
import openai
import pytest

from aimodels.stack.state import StackInfo
from tests.proxy.support import (
    ADMIN,
    CLINICAL_NOTES,
    IMMIGRATION,
    LEGAL_DRAFTER,
    USER1,
    Database,
    access_token,
)

MESSAGES = [{"role": "user", "content": "hello"}]


class Counted:
    """An SDK client (with the SDK's default retries) that counts the requests it sends."""

    def __init__(self, stack: StackInfo, api_key: str) -> None:
        self.requests = 0

        def count(_: httpx.Request) -> None:
            self.requests += 1

        assert stack.proxy_url is not None
        self.sdk = openai.OpenAI(
            base_url=stack.proxy_url,
            api_key=api_key,
            http_client=httpx.Client(event_hooks={"request": [count]}),
        )


def _refused(client: Counted, model: str, **extra: object) -> openai.APIStatusError:
    with pytest.raises(openai.APIStatusError) as raised:
        client.sdk.chat.completions.create(model=model, messages=MESSAGES, **extra)  # type: ignore[call-overload]
    assert client.requests == 1, "the SDK did not retry a refusal that will not clear"
    return raised.value


def test_a_bad_token_is_401(fresh: StackInfo, since: datetime) -> None:
    error = _refused(Counted(fresh, "not-a-token"), "Immigration Case Assistant")
    assert isinstance(error, openai.AuthenticationError)
    assert error.code == "invalid_api_key"


def test_an_unknown_model_is_404_model_not_available(fresh: StackInfo, since: datetime) -> None:
    error = _refused(Counted(fresh, access_token(fresh, USER1)), "No Such Model")
    assert isinstance(error, openai.NotFoundError)
    assert error.code == "model_not_available"


@pytest.mark.parametrize("ref", [str(LEGAL_DRAFTER), "Legal Document Drafter"])
def test_a_model_the_org_has_not_enabled_is_403_model_not_enabled(
    fresh: StackInfo, since: datetime, ref: str
) -> None:
    """By id or by exact name alike: the name is looked up among the models the caller's
    organization can see (RLS), so it says no more than the id would."""
    error = _refused(Counted(fresh, access_token(fresh, USER1)), ref)
    assert isinstance(error, openai.PermissionDeniedError)
    assert error.code == "model_not_enabled"


@pytest.mark.parametrize("ref", [str(LEGAL_DRAFTER), "Legal Document Drafter"])
def test_a_model_the_org_cannot_see_is_404_by_id_or_name(
    fresh: StackInfo, since: datetime, ref: str
) -> None:
    """acme-law is on the free plan: the Legal Drafter is not visible to it at all."""
    error = _refused(Counted(fresh, access_token(fresh, "user1@acme-law.example.test")), ref)
    assert isinstance(error, openai.NotFoundError)
    assert error.code == "model_not_available"


def test_an_expired_trial_is_403_trial_expired(fresh: StackInfo, since: datetime) -> None:
    Database(fresh.db_url).expire_trial("pulse-health", CLINICAL_NOTES)
    token = access_token(fresh, "user1@pulse-health.example.test")
    error = _refused(Counted(fresh, token), str(CLINICAL_NOTES))
    assert isinstance(error, openai.PermissionDeniedError)
    assert error.code == "trial_expired"


def test_an_admin_does_not_use_models(fresh: StackInfo, since: datetime) -> None:
    token = access_token(fresh, ADMIN)
    # The admin's own role is accepted; Postgres, not the token check, refuses the call.
    assert jwt.decode(token, options={"verify_signature": False})["role"] == "aimodels_admin"
    error = _refused(Counted(fresh, token), str(IMMIGRATION))
    assert isinstance(error, openai.PermissionDeniedError)
    assert error.code == "permission_denied"


def test_a_user_limit_is_429_not_to_be_retried_until_the_period_ends(
    fresh: StackInfo, since: datetime
) -> None:
    Database(fresh.db_url).set_user_limit(5100)  # user1 has used 5000 this week
    error = _refused(Counted(fresh, access_token(fresh, USER1)), "Immigration Case Assistant")
    assert isinstance(error, openai.RateLimitError)
    assert error.code == "user_limit_exceeded"
    assert error.response.headers["x-should-retry"] == "false"
    retry_after = int(error.response.headers["retry-after"])
    now = datetime.now(UTC)
    week_end = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    ) + timedelta(days=7)
    assert 0 < retry_after <= (week_end - now).total_seconds() + 1, "seconds to the week's end"


def test_the_org_quota_is_429_org_quota_exceeded(fresh: StackInfo, since: datetime) -> None:
    Database(fresh.db_url).set_org_quota_left(10)
    error = _refused(Counted(fresh, access_token(fresh, USER1)), "Immigration Case Assistant")
    assert isinstance(error, openai.RateLimitError)
    assert error.code == "org_quota_exceeded"
    assert int(error.response.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"messages": []}, "messages"),
        ({"messages": MESSAGES, "max_tokens": -1}, "max_tokens"),
        ({"messages": [{"role": "wizard", "content": "x"}]}, "messages.0.role"),
    ],
)
def test_a_bad_body_is_400_naming_the_field(
    fresh: StackInfo, since: datetime, body: dict[str, object], field: str
) -> None:
    assert fresh.proxy_url is not None
    response = httpx.post(
        f"{fresh.proxy_url}/chat/completions",
        json={"model": "Immigration Case Assistant", **body},
        headers={"authorization": f"Bearer {access_token(fresh, USER1)}"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == field
    assert field in error["message"]


@pytest.mark.parametrize(
    "name", ["Legal'); select pg_sleep(10); --", "Legal Document Drafter\\'", "Ünïcode \" ' $$"]
)
def test_a_model_name_is_a_value_never_sql(seeded: StackInfo, since: datetime, name: str) -> None:
    """The statement and its values leave as one message, the values quoted by the driver:
    quotes, backslashes and dollar signs in a name are part of the name, which no model has."""
    error = _refused(Counted(seeded, access_token(seeded, USER1)), name)
    assert isinstance(error, openai.NotFoundError)
    assert error.code == "model_not_available"
