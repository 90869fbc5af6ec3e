"""A settlement that fails after the provider answered has a deliberate outcome: a failure
to reach the database is retried once (a hold settles at most once, so a retry cannot
charge twice); after a second failure, or a refusal, the hold is left to expire and never
released (the tokens were spent), and the log names the hold, the model and the tokens."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import SecretStr

from aimodels.domain import QuotaStatus, RecordUsageResult, UsableModel
from aimodels.domain.reservations import HoldStatus, UsageHold
from aimodels.proxy.accounting import Delivered
from aimodels.proxy.caller import Caller
from aimodels.proxy.chat_flow import ChatService, Settlement, prepare
from aimodels.proxy.errors import ErrorCode, ProxyError
from aimodels.proxy.wire import ChatRequest, Usage

UNREACHABLE = ProxyError(ErrorCode.SERVICE_UNAVAILABLE, "the database is unreachable (X)")
ENDED = ProxyError(ErrorCode.INVALID_REQUEST, "the hold has already ended")


class FailingSettles:
    """Settles fail with the given errors in turn, then succeed; counts every call."""

    def __init__(self, *failures: ProxyError) -> None:
        self.failures = list(failures)
        self.settles: list[tuple[UUID, int]] = []
        self.releases: list[UUID] = []

    async def settle(self, caller: Caller, hold_id: UUID, tokens_used: int) -> RecordUsageResult:
        self.settles.append((hold_id, tokens_used))
        if self.failures:
            raise self.failures.pop(0)
        return RecordUsageResult.model_construct()

    async def release(self, caller: Caller, hold_id: UUID) -> None:
        self.releases.append(hold_id)

    async def usable_models(self, caller: Caller) -> list[UsableModel]:
        raise AssertionError("not used")

    async def visible_model_id(self, caller: Caller, name: str) -> UUID | None:
        raise AssertionError("not used")

    async def quota_status(self, caller: Caller, model_id: UUID) -> QuotaStatus:
        raise AssertionError("not used")

    async def reserve(self, *args: Any) -> UsageHold:
        raise AssertionError("not used")


def _settle(db: FailingSettles) -> tuple[Settlement, UsageHold]:
    model = UsableModel.model_validate({"id": uuid4(), "name": "Drafter", "max_tokens": 100})
    call = prepare(
        model,
        ChatRequest.model_validate(
            {"model": "Drafter", "messages": [{"role": "user", "content": "hi"}]}
        ),
    )
    now = datetime.now(UTC)
    hold = UsageHold(
        id=uuid4(), user_id=uuid4(), organization_id=uuid4(), model_id=model.id,
        tokens_held=call.tokens_to_hold, requests_count=1, status=HoldStatus.ACTIVE,
        expires_at=now, created_at=now,
    )  # fmt: skip
    caller = Caller(
        user_id=hold.user_id, role="authenticated", claims_json="{}", token=SecretStr("t")
    )
    delivered = Delivered(reported=Usage(prompt_tokens=5, completion_tokens=7, total_tokens=12))
    service = ChatService(db, keys=None, provider=None)  # type: ignore[arg-type]
    return asyncio.run(service.settle(caller, call, hold, delivered)), hold


def test_a_settlement_that_cannot_reach_the_database_is_retried_once() -> None:
    db = FailingSettles(UNREACHABLE)
    outcome, hold = _settle(db)
    assert outcome is Settlement.SETTLED
    assert db.settles == [(hold.id, 12), (hold.id, 12)], "the same settlement, sent twice"
    assert db.releases == []


def test_a_settlement_failing_twice_leaves_the_hold_to_expire_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    db = FailingSettles(UNREACHABLE, UNREACHABLE)
    with caplog.at_level(logging.INFO, logger="aimodels.proxy"):
        outcome, hold = _settle(db)
    assert outcome is Settlement.LEFT_TO_EXPIRE
    assert len(db.settles) == 2, "no third try"
    assert db.releases == [], "never released: the tokens were spent"
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert str(hold.id) in line and "12 tokens" in line and "left to expire" in line


def test_a_refused_settlement_is_not_retried() -> None:
    db = FailingSettles(ENDED)
    outcome, _ = _settle(db)
    assert outcome is Settlement.LEFT_TO_EXPIRE
    assert len(db.settles) == 1, "a refusal will not clear on a retry"
    assert db.releases == []
