"""Integration fixtures: a database reset per module that writes, and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aimodels.client import AIModelsClient
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackInfo

PASSWORD = "aimodels-dev-password"

SignIn = Callable[[str], AIModelsClient]


@pytest.fixture(scope="module")
def db(local_stack: LocalStack) -> StackInfo:
    """Each module that writes starts from migrations + seed."""
    local_stack.reset()
    return local_stack.info


@pytest.fixture
def sign_in(db: StackInfo) -> SignIn:
    """`sign_in(email)`: a client signed in through the API with the development password."""

    def as_account(email: str) -> AIModelsClient:
        client = AIModelsClient.connect(db.api_url, db.anon_key)
        client.sign_in(email, PASSWORD)
        return client

    return as_account
