"""Model access fixtures: a freshly seeded stack (its service and provider running)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackInfo
from tests.proxy.support import Database


@pytest.fixture(scope="module")
def seeded(local_stack: LocalStack) -> StackInfo:
    """Migrations + seed once per module, the seeded models pointed at the stack's provider.
    Tests of such a module measure what changed since they started."""
    local_stack.reset()
    return local_stack.info


@pytest.fixture
def fresh(local_stack: LocalStack, seeded: StackInfo) -> Iterator[StackInfo]:
    """For a test that changes limits, settings or models: the module's seeded database,
    reset again after the test, so the module's next tests find the seed as they expect
    (one reset per such test: each briefly frees the gateway's port)."""
    yield seeded
    local_stack.reset()


@pytest.fixture(scope="module")
def db(seeded: StackInfo) -> Database:
    return Database(seeded.db_url)


@pytest.fixture
def since(seeded: StackInfo) -> Iterator[datetime]:
    """For a test of a refusal: when it started; after it, nothing was recorded or held.
    (Listed after `fresh`, it checks before `fresh` resets the database.)"""
    db = Database(seeded.db_url)
    started = db.now()
    yield started
    assert db.usage_since(started) == [], "a refusal records nothing"
    assert db.holds_since(started) == [], "a refusal holds nothing"
