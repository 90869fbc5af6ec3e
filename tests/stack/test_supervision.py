"""The gateway runs supervised: it comes back after a kill -9, and stops cleanly for good.

These run a stand-in server (tests/stack/fake_gateway.py) under the real supervisor and
GatewayProcess, so they need no database; the fault suite does the same to the real gateway.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from aimodels.stack.gateway_process import GatewayError, GatewayProcess
from aimodels.stack.ports import free_port
from tests.stack.support import processes_mentioning

FAKE_GATEWAY = Path(__file__).with_name("fake_gateway.py")
UNUSED_URL = "postgresql://nobody@127.0.0.1:1/none"


def wait_until(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return True
        time.sleep(0.1)
    return False


def run_fake_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make GatewayProcess run the stand-in server instead of the real gateway."""

    def command(
        gateway: GatewayProcess, *, rest_db_url: str, auth_db_url: str, extra_args: Sequence[str]
    ) -> list[str]:
        return [sys.executable, str(FAKE_GATEWAY), str(gateway.port), str(health_file(gateway))]

    monkeypatch.setattr(GatewayProcess, "command", command)


def health_file(gateway: GatewayProcess) -> Path:
    return gateway.folder / "fake-health"


def set_health(gateway: GatewayProcess, status: int) -> None:
    gateway.folder.mkdir(parents=True, exist_ok=True)
    health_file(gateway).write_text(str(status))


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    process = GatewayProcess(tmp_path / "gw", free_port())
    try:
        yield process
    finally:
        process.stop()


def start(gateway: GatewayProcess) -> None:
    gateway.start(rest_db_url=UNUSED_URL, auth_db_url=UNUSED_URL, timeout=20)


def test_a_gateway_killed_with_sigkill_is_restarted_by_its_supervisor(
    gateway: GatewayProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_fake_gateway(monkeypatch)
    set_health(gateway, 200)
    start(gateway)
    first = gateway.pid()
    assert first is not None and gateway.problem() is None, "the gateway did not start"

    os.kill(first, signal.SIGKILL)
    back = wait_until(lambda: gateway.problem() is None and gateway.pid() != first, 15)
    assert back, f"no new gateway serves 15 s after kill -9: {gateway.problem()}"
    assert gateway.pid() != first, "the same process cannot serve after kill -9"


def test_stop_leaves_neither_supervisor_nor_gateway_even_after_the_supervisor_was_killed(
    gateway: GatewayProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_fake_gateway(monkeypatch)
    set_health(gateway, 200)
    start(gateway)
    supervisor, server = gateway.supervisor_pid(), gateway.pid()
    assert supervisor is not None and server is not None, "nothing supervised started"

    os.kill(supervisor, signal.SIGKILL)
    assert wait_until(lambda: gateway.supervisor_pid() is None, 5), "supervisor survived kill -9"
    assert gateway.problem() is not None, "an unsupervised gateway must not count as healthy"
    gateway.stop()
    assert gateway.pid() is None, "stop left the orphaned gateway running"
    assert processes_mentioning(str(FAKE_GATEWAY)) == [], "the stand-in server still runs"


def test_a_gateway_that_never_turns_healthy_is_stopped_and_reported(
    gateway: GatewayProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_fake_gateway(monkeypatch)
    set_health(gateway, 503)
    with pytest.raises(GatewayError, match="/health answered 503"):
        gateway.start(rest_db_url=UNUSED_URL, auth_db_url=UNUSED_URL, timeout=3)
    assert gateway.pid() is None, "a gateway that never became healthy was left running"


def test_a_serving_gateway_that_turns_unhealthy_is_reported_and_replaced_by_start(
    gateway: GatewayProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_fake_gateway(monkeypatch)
    set_health(gateway, 200)
    start(gateway)
    first = gateway.pid()
    set_health(gateway, 503)
    assert gateway.problem() == "the API gateway is unhealthy: /health answered 503"

    set_health(gateway, 200)
    assert gateway.problem() is None
    start(gateway)
    assert gateway.pid() == first, "start replaced a gateway that serves"
    set_health(gateway, 503)
    with pytest.raises(GatewayError):
        gateway.start(rest_db_url=UNUSED_URL, auth_db_url=UNUSED_URL, timeout=2)
    assert gateway.pid() != first, "start kept a gateway whose /health fails"


def test_a_program_answering_on_the_port_is_not_taken_for_the_gateway(
    gateway: GatewayProcess,
) -> None:
    """Whatever listens on the port is not ours unless our gateway process holds it."""
    with socket.socket() as stranger:
        stranger.bind(("127.0.0.1", gateway.port))
        stranger.listen()
        assert gateway.problem() == "the API gateway is not running"


def test_stop_also_ends_a_gateway_an_older_stack_up_started_without_a_supervisor(
    gateway: GatewayProcess,
) -> None:
    gateway.folder.mkdir(parents=True, exist_ok=True)
    sleeper = "import time; time.sleep(60)"
    legacy = subprocess.Popen([sys.executable, "-c", sleeper, "gateway", "serve"])
    try:
        gateway.pid_file.write_text(str(legacy.pid))
        gateway.stop()
        assert legacy.wait(timeout=5) is not None, "the unsupervised gateway still runs"
    finally:
        legacy.kill()
