"""Fixtures shared by every test layer: the local stack, started once per session.

The suite runs its own stack (.devstack/test-stack, ports near 54331/54332) so it never
resets a developer's data, and stops it at the end so CI leaves nothing running. Concurrent
pytest sessions on one checkout take turns through a file lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackInfo, StackSettings

REPO = Path(__file__).resolve().parent.parent


# Fixtures that start or reach a stack. `api` gets the stack through getfixturevalue (it can
# also aim at any Supabase), so fixture closure alone would not see it.
_STACK_FIXTURES = {"local_stack", "api"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reaches the stack, so `-m "not stack"` never starts it.

    The mark follows the fixtures a test uses (directly or through others), so a new test
    cannot forget it.
    """
    for item in items:
        if _STACK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.stack)


def _test_stack_dir() -> Path:
    return Path(os.environ.get("AIMODELS_TEST_STACK_DIR", REPO / ".devstack" / "test-stack"))


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    """The test stack, up and freshly reset; stopped when the session ends."""
    stack_dir = _test_stack_dir()
    stack_dir.mkdir(parents=True, exist_ok=True)
    with (stack_dir.parent / f"{stack_dir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stack = LocalStack(StackSettings.for_tests(REPO, stack_dir))
        stack.up(reset=True)
        try:
            yield stack
        finally:
            stack.down()


@pytest.fixture(scope="session")
def stack(local_stack: LocalStack) -> StackInfo:
    """How to reach the running test stack (API URL, keys, superuser DB URL)."""
    return local_stack.info


@pytest.fixture
def fresh_db(local_stack: LocalStack) -> StackInfo:
    """A database just reset to migrations + seed, for a test that writes."""
    local_stack.reset()
    return local_stack.info
