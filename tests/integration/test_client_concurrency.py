"""Concurrent recordings never push usage past a limit."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest

from aimodels.client import AIModelsClient, UserQuotaExceeded
from aimodels.domain import ModelDraft, RecordUsageResult
from aimodels.stack.state import StackInfo

PASSWORD = "aimodels-dev-password"
LIMIT = 95
TOKENS_EACH = 10
THREADS = 20

pytestmark = pytest.mark.stack


def _signed_in(stack: StackInfo, email: str) -> AIModelsClient:
    client = AIModelsClient.connect(stack.api_url, stack.anon_key)
    client.sign_in(email, PASSWORD)
    return client


def test_parallel_recordings_stop_exactly_at_the_limit(fresh_db: StackInfo) -> None:
    catalog = _signed_in(fresh_db, "superadmin@example.test").catalog()
    model = catalog.create_model(
        ModelDraft(
            name=f"Race Model {uuid4().hex[:8]}",
            organization_types=["immigration"],
            required_plan="starter",
            token_limit_period="daily",
            token_limit_amount=LIMIT,
        )
    )
    _signed_in(fresh_db, "admin@bright-visas.example.test").org_admin().enable_model(model.id)
    user = _signed_in(fresh_db, "user2@bright-visas.example.test").user()
    start = threading.Barrier(THREADS)

    def record() -> RecordUsageResult | UserQuotaExceeded:
        start.wait()
        try:
            return user.record_usage(model.id, TOKENS_EACH)
        except UserQuotaExceeded as refused:
            return refused

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(lambda _: record(), range(THREADS)))

    accepted = [o for o in outcomes if isinstance(o, RecordUsageResult)]
    refused = [o for o in outcomes if isinstance(o, UserQuotaExceeded)]
    recorded = sum(row.tokens_used for row in user.usage_history() if row.model_id == model.id)
    assert recorded <= LIMIT, "the limit holds under concurrency"
    assert recorded == len(accepted) * TOKENS_EACH, "every accepted call was recorded, once"
    assert len(accepted) == LIMIT // TOKENS_EACH, "no call was refused while room was left"
    assert len(refused) == THREADS - len(accepted), "every other call was refused as over limit"
    assert user.quota_status(model.id).tokens_used == recorded
