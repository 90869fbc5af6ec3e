"""`aimodels stack up/status/env/down` as a developer runs them, on a stack of its own."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from aimodels.stack.cluster import port_is_free
from aimodels.stack.state import StackPorts, StackSettings
from tests.stack.support import (
    REPO,
    aimodels,
    processes_marked,
    processes_mentioning,
    stderr_is_one_line,
)

# Starts a stack of its own through the CLI.
pytestmark = pytest.mark.stack


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

    # A gateway killed together with its supervisor: status says so, up brings back only it.
    stack_dir = Path(own_stack_env["AIMODELS_STACK_DIR"])
    postmaster = (stack_dir / "pg" / "data" / "postmaster.pid").read_text().split()[0]
    for pid in processes_marked(stack_dir):
        os.kill(pid, signal.SIGKILL)
    dead = aimodels(["stack", "status"], own_stack_env)
    assert dead.returncode == 1, "`stack status` must exit 1 when the gateway is dead"
    assert stderr_is_one_line(dead.stderr), dead.stderr
    assert "API gateway is not running" in dead.stderr, dead.stderr
    again = aimodels(["stack", "up"], own_stack_env)
    assert again.returncode == 0, f"`stack up` did not restart the gateway: {again.stderr}"
    restarted = (stack_dir / "pg" / "data" / "postmaster.pid").read_text().split()[0]
    assert restarted == postmaster, "`stack up` restarted Postgres, which was fine"
    assert aimodels(["stack", "status"], own_stack_env).returncode == 0, "gateway not back"

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
    leftovers += [str(pid) for pid in processes_marked(stack_dir)]
    assert leftovers == [], f"processes of the stopped stack still run: {leftovers}"
    stopped = aimodels(["stack", "status"], own_stack_env)
    assert stopped.returncode == 1, "`stack status` must exit 1 when the stack is down"

    # pytest's tmp folder is closed to the postgres user, so the cluster's files live
    # under /var/tmp: --destroy deletes them there.
    destroyed = aimodels(["stack", "down", "--destroy"], own_stack_env)
    assert destroyed.returncode == 0, destroyed.stderr
    data_root = Path(own_stack_env["AIMODELS_STACK_DIR"]) / "pg"
    assert not data_root.resolve().exists(), "`stack down --destroy` left the cluster's files"
