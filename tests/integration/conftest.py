"""Integration fixtures: a database reset per module that writes, and signed-in clients."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aimodels.client import AIModelsClient
from aimodels.stack.envfile import write_env_file
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackInfo
from tests.integration.support import REPO, Cli, SignIn

PASSWORD = "aimodels-dev-password"


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


@pytest.fixture
def cli_on_test_stack(local_stack: LocalStack, tmp_path: Path) -> Cli:
    """`cli(*args, cwd=REPO)`: the `aimodels` program as a person runs it, aimed at the test
    stack (its .devstack folder and a .env of its own, never the developer's)."""
    env_file = tmp_path / ".env"
    write_env_file(env_file, local_stack.info)
    env = {
        **os.environ,
        "AIMODELS_STACK_DIR": str(local_stack.settings.devstack_dir),
        "AIMODELS_ENV_FILE": str(env_file),
    }

    def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aimodels", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run
