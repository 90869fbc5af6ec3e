"""Executable documentation runs against the test stack, freshly seeded per module."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from aimodels.stack.envfile import write_env_file
from aimodels.stack.local_stack import LocalStack


@pytest.fixture(scope="module")
def reader_env(local_stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a reader at the repository root, aimed at the test stack (never
    the developer's .env or data): `aimodels` on PATH, the stack's folder and .env."""
    local_stack.reset()
    env_file = tmp_path_factory.mktemp("docs") / ".env"
    write_env_file(env_file, local_stack.info)
    bin_dir = Path(sys.executable).parent
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIMODELS_STACK_DIR": str(local_stack.settings.devstack_dir),
        "AIMODELS_ENV_FILE": str(env_file),
        "SUPABASE_URL": local_stack.info.api_url,
        "SUPABASE_ANON_KEY": local_stack.info.anon_key,
        "AIMODELS_AS": "",
        "AIMODELS_PASSWORD": "",
    }
