"""Database-layer fixtures.

By default `stack` and `fresh_db` are the suite's shared local stack (tests/conftest.py).
Setting AIMODELS_TEST_DB_URL points this folder at an already-bootstrapped database instead
(superuser URL), which `fresh_db` resets with the Supabase CLI: quick runs while developing
migrations, without starting the API gateway.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aimodels.stack.state import StackInfo
from aimodels.stack.supabase_cli import SupabaseCli

REPO = Path(__file__).resolve().parents[2]
_DB_URL_OVERRIDE = os.environ.get("AIMODELS_TEST_DB_URL")


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest) -> StackInfo:
    if _DB_URL_OVERRIDE:
        return StackInfo(api_url="", db_url=_DB_URL_OVERRIDE)
    return request.getfixturevalue("local_stack").info


@pytest.fixture
def fresh_db(request: pytest.FixtureRequest, stack: StackInfo) -> StackInfo:
    if _DB_URL_OVERRIDE:
        SupabaseCli(REPO).db_reset(stack.db_url)
        return stack
    local_stack = request.getfixturevalue("local_stack")
    local_stack.reset()
    return local_stack.info
