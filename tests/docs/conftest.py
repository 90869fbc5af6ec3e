"""Executable documentation runs against the test stack, freshly seeded per module."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from aimodels.stack.envfile import write_env_file
from aimodels.stack.local_stack import LocalStack
from tests.docs.support import REPO

# Left out of the reader's checkout: the developer's own stack settings and state.
_DEVELOPERS_OWN = {".env", ".devstack", ".git"}


@pytest.fixture(scope="module")
def reader_checkout(local_stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository as a reader has it after `aimodels stack up`, aimed at the test stack:
    everything in it linked from this checkout, except a `.env` of the test stack's own
    (so `. ./.env` and the nearest-`.env` lookups never reach the developer's stack)."""
    checkout = tmp_path_factory.mktemp("reader")
    for entry in REPO.iterdir():
        if entry.name not in _DEVELOPERS_OWN:
            (checkout / entry.name).symlink_to(entry)
    write_env_file(checkout / ".env", local_stack.info)
    return checkout


@pytest.fixture(scope="module")
def reader_env(local_stack: LocalStack, reader_checkout: Path) -> dict[str, str]:
    """The environment of a reader at the root of `reader_checkout` (never the developer's
    .env or data): `aimodels` on PATH, the stack's folder and .env."""
    local_stack.reset()
    bin_dir = Path(sys.executable).parent
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIMODELS_STACK_DIR": str(local_stack.settings.devstack_dir),
        "AIMODELS_ENV_FILE": str(reader_checkout / ".env"),
        "SUPABASE_URL": local_stack.info.api_url,
        "SUPABASE_ANON_KEY": local_stack.info.anon_key,
        "AIMODELS_AS": "",
        "AIMODELS_PASSWORD": "",
    }
