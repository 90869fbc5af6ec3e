"""Onboarding fixtures: the test stack's mail catcher and fresh supabase-py clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from supabase import Client, create_client

from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackInfo
from tests.onboarding.support import Mailbox


@pytest.fixture(scope="module")
def db(local_stack: LocalStack) -> StackInfo:
    """Each module starts from migrations + seed (sign-ups and invitations write)."""
    local_stack.reset()
    return local_stack.info


@pytest.fixture(scope="module")
def mailbox(local_stack: LocalStack) -> Mailbox:
    url = local_stack.mail.url
    assert url is not None, "the stack's mail catcher is not running"
    return Mailbox(url)


@pytest.fixture
def new_client(db: StackInfo) -> Callable[[], Client]:
    """A fresh supabase-py client (anon key, no session), unchanged from the library."""
    return lambda: create_client(db.api_url, db.anon_key)
