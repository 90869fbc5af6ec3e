"""`aimodels stack up/status/env/down` as a developer runs them, on a stack of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aimodels.stack.cluster import port_is_free
from aimodels.stack.state import StackPorts, StackSettings

REPO = Path(__file__).resolve().parents[2]


def aimodels(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aimodels", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# Starts a stack of its own through the CLI.
pytestmark = pytest.mark.stack


def processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(cmdline)
    return found


@pytest.fixture
def own_stack_env(tmp_path: Path) -> dict[str, str]:
    return {
        "AIMODELS_STACK_DIR": str(tmp_path / "stack"),
        "AIMODELS_ENV_FILE": str(tmp_path / ".env"),
    }


def test_up_twice_then_down_leaves_nothing_running(own_stack_env: dict[str, str]) -> None:
    first = aimodels(["stack", "up"], own_stack_env)
    assert first.returncode == 0, f"first `stack up` failed: {first.stderr}"
    second = aimodels(["stack", "up"], own_stack_env)
    assert second.returncode == 0, f"`stack up` is not idempotent: {second.stderr}"

    status = aimodels(["stack", "status", "--json"], own_stack_env)
    assert status.returncode == 0, f"a stack just started reports down: {status.stdout}"

    env_file = Path(own_stack_env["AIMODELS_ENV_FILE"]).read_text()
    required = ("SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_DB_URL")
    for key in required:
        assert f"{key}=" in env_file, f".env lacks {key}"
    printed = aimodels(["stack", "env"], own_stack_env)
    assert "SUPABASE_DB_URL=postgresql://" in printed.stdout, "`stack env` lacks the DB URL"

    settings = StackSettings.for_project(REPO).model_copy(
        update={"devstack_dir": Path(own_stack_env["AIMODELS_STACK_DIR"])}
    )
    ports = StackPorts.load(settings)
    assert ports is not None, "stack up recorded no ports"

    down = aimodels(["stack", "down"], own_stack_env)
    assert down.returncode == 0, f"`stack down` failed: {down.stderr}"
    assert port_is_free(ports.db_port), "Postgres still holds its port after `stack down`"
    assert port_is_free(ports.api_port), "the gateway still holds its port after `stack down`"
    leftovers = processes_mentioning(own_stack_env["AIMODELS_STACK_DIR"])
    assert leftovers == [], f"processes of the stopped stack still run: {leftovers}"
    stopped = aimodels(["stack", "status"], own_stack_env)
    assert stopped.returncode == 1, "`stack status` must exit 1 when the stack is down"

    # pytest's tmp folder is closed to the postgres user, so the cluster's files live
    # under /var/tmp: --destroy deletes them there.
    destroyed = aimodels(["stack", "down", "--destroy"], own_stack_env)
    assert destroyed.returncode == 0, destroyed.stderr
    data_root = Path(own_stack_env["AIMODELS_STACK_DIR"]) / "pg"
    assert not data_root.resolve().exists(), "`stack down --destroy` left the cluster's files"
