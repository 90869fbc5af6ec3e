"""A benchmark run stopped by SIGTERM (`kill`, a CI job's timeout) stops the servers it
started: the gateway, the model access service and the provider it runs for the model
access benchmark, each in a session of its own that would otherwise outlive it, holding
database sessions that keep the bench database from being copied or dropped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aimodels.stack import procfs
from aimodels.stack.local_stack import LocalStack

pytestmark = pytest.mark.stack

AIMODELS = str(Path(sys.executable).parent / "aimodels")


def _servers_of(folder: Path) -> list[int]:
    """The live processes the run's folder names: its servers' pid files, and the gateway's
    supervisor (whose command line names its pid file there)."""
    recorded = [int(f.read_text().strip() or 0) for f in folder.glob("*.pid")]
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    named = [pid for pid in pids if str(folder) in procfs.command_line(pid)]
    return sorted({pid for pid in [*recorded, *named] if pid and procfs.is_alive(pid)})


# Stopped as the gateway starts serving (its start still waiting for it), and once the
# model access service has been launched too (the last server the benchmark starts).
@pytest.mark.parametrize("started", ["gateway.pid", "proxy.pid"])
def test_a_run_stopped_by_sigterm_stops_the_servers_it_started(
    local_stack: LocalStack, started: str
) -> None:
    folder = local_stack.settings.devstack_dir / "bench-proxy-tiny"
    assert not _servers_of(folder), "servers of an earlier run are still up"
    for stale in folder.glob("*.pid"):  # an earlier run's, its process gone
        stale.unlink()
    env = {**os.environ, "AIMODELS_STACK_DIR": str(local_stack.settings.devstack_dir)}
    run = subprocess.Popen(
        [AIMODELS, "bench", "run", "--scale", "tiny", "--only", "proxy", "--no-plans"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not _servers_of(folder) or not (folder / started).exists():
            assert run.poll() is None, f"the run ended before its gateway served: {run.returncode}"
            assert time.monotonic() < deadline, "the run's gateway did not start"
            time.sleep(0.1)
        assert _servers_of(folder), "not vacuous: the run's servers are up"
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 128 + signal.SIGTERM  # what a shell reports for it
    finally:
        if run.poll() is None:
            run.kill()
    deadline = time.monotonic() + 15
    while _servers_of(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _servers_of(folder)
    for pid in left:  # leave no server behind for the tests after this one
        os.kill(pid, signal.SIGKILL)
    assert not left, [procfs.command_line(pid) for pid in left]
