"""A stack of the fault suite's own: its tests kill the gateway and restart Postgres, which
no other test should live through. Recording limits are lifted for the actors it uses, so
every refusal seen here comes from a fault, never from a quota."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aimodels.stack.local_stack import LocalStack
from tests.faults.support import Actor, find_actors, lift_limits, sign_in
from tests.stack.support import own_stack_settings


@pytest.fixture(scope="session")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    stack = LocalStack(own_stack_settings(Path(tmp_path_factory.mktemp("fault-stack"))))
    try:
        stack.up()
        yield stack
    finally:
        stack.destroy()


@pytest.fixture(scope="session")
def actors(fault_stack: LocalStack) -> list[Actor]:
    """Four signed-in users, each with a paid model their org enabled, limits lifted."""
    found = find_actors(fault_stack.cluster.url(), count=4)
    lift_limits(fault_stack.cluster.url(), found)
    info = fault_stack.info
    return [sign_in(info.api_url, info.anon_key, actor) for actor in found]


@pytest.fixture
def serving(fault_stack: LocalStack) -> LocalStack:
    """The stack serving before each test (`up` replaces a gateway an earlier test broke)."""
    fault_stack.up()
    return fault_stack
