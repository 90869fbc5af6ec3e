"""`stack up` and ports: a port taken between the choice and the server's start.

The reset takes seconds, and another program may take the API port meanwhile; `up` then
moves to a free port (and says so through `.env`), or fails with one line on stderr and
leaves nothing of its own running.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from aimodels.cli.app import app
from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackPorts
from aimodels.stack.supabase_cli import SupabaseCli
from tests.stack.support import own_stack_settings, processes_mentioning, stderr_is_one_line

# Starts stacks of its own.
pytestmark = pytest.mark.stack


@pytest.fixture
def squatter() -> Iterator[socket.socket]:
    """Another program's listening socket, bound when a test says so."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        yield sock
    finally:
        sock.close()


def squat_on_api_port_after_reset(
    monkeypatch: pytest.MonkeyPatch, stack_ports: StackPorts | None, sock: socket.socket
) -> None:
    """Take the API port the stack recorded, right after `supabase db reset` finishes."""
    real_reset = SupabaseCli.db_reset

    def reset_then_squat(cli: SupabaseCli, db_url: str, **options: object) -> str:
        output = real_reset(cli, db_url, **options)  # type: ignore[arg-type]
        port = stack_ports.api_port if stack_ports else 0
        sock.bind(("127.0.0.1", port))
        sock.listen()
        return output

    monkeypatch.setattr(SupabaseCli, "db_reset", reset_then_squat)


def test_up_moves_to_a_free_port_when_the_api_port_is_taken_during_the_reset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, squatter: socket.socket
) -> None:
    settings = own_stack_settings(tmp_path)
    stack = LocalStack(settings)
    squat_on_api_port_after_reset(monkeypatch, stack.ports, squatter)
    try:
        info = stack.up()
        taken = squatter.getsockname()[1]
        assert taken == settings.preferred_api_port, "the squatter did not take the chosen port"
        assert info.api_url != f"http://127.0.0.1:{taken}", "up kept the port another took"
        health = requests.get(f"{info.api_url}/auth/v1/health", timeout=5)
        assert health.status_code == 200, f"the moved gateway does not serve: {health.text}"
        assert f"SUPABASE_URL={info.api_url}\n" in settings.env_file.read_text(), (
            ".env does not name the port the gateway moved to"
        )
        recorded = StackPorts.load(settings)
        assert recorded is not None and f":{recorded.api_port}" in info.api_url, (
            "the state file does not remember the port the gateway moved to"
        )
    finally:
        stack.destroy()


def test_up_moves_postgres_off_a_port_taken_before_it_starts(
    tmp_path: Path, squatter: socket.socket
) -> None:
    settings = own_stack_settings(tmp_path)
    stack = LocalStack(settings)
    squatter.bind(("127.0.0.1", stack.ports.db_port))  # chosen free, then taken
    squatter.listen()
    try:
        info = stack.up()
        assert stack.cluster.port != squatter.getsockname()[1], (
            "Postgres claims the port another program holds"
        )
        assert f"127.0.0.1:{stack.cluster.port}/" in info.db_url
        assert stack.status().running, f"the moved stack does not serve: {stack.status()}"
        recorded = StackPorts.load(settings)
        assert recorded is not None and recorded.db_port == stack.cluster.port, (
            "the state file does not remember the port Postgres moved to"
        )
    finally:
        stack.destroy()


def refuse_to_start(
    gateway: GatewayProcess, *, rest_db_url: str, auth_db_url: str, extra_args: Sequence[str] = ()
) -> list[str]:
    return [sys.executable, "-c", "import sys; sys.exit('refusing to serve')"]


def test_up_that_cannot_start_the_gateway_fails_in_one_line_and_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = own_stack_settings(tmp_path)
    monkeypatch.setenv("AIMODELS_STACK_DIR", str(settings.devstack_dir))
    monkeypatch.setenv("AIMODELS_ENV_FILE", str(settings.env_file))
    monkeypatch.setattr(GatewayProcess, "command", refuse_to_start)
    try:
        result = CliRunner().invoke(app, ["stack", "up"])
        assert result.exit_code == 1, f"exit {result.exit_code}: {result.output}"
        assert stderr_is_one_line(result.stderr), f"not one line on stderr: {result.stderr!r}"
        assert "gateway" in result.stderr, f"the line does not say what failed: {result.stderr}"
        leftovers = processes_mentioning(str(settings.devstack_dir.resolve()))
        leftovers += processes_mentioning(str((settings.devstack_dir / "pg").resolve()))
        # The mail catcher starts before the gateway (the model access services after it):
        # its command line names its ports, which the stack keeps in its folder.
        mail_ports = LocalStack(settings).mail.ports()
        assert mail_ports is not None, "the mail catcher was not started: the test proves less"
        leftovers += processes_mentioning(f"mail serve --smtp-port {mail_ports.smtp_port} ")
        assert leftovers == [], f"a failed `stack up` left processes running: {leftovers}"
        assert not settings.env_file.exists(), "a failed `stack up` wrote .env anyway"
    finally:
        LocalStack(settings).destroy()


def test_up_that_fails_on_a_running_postgres_stops_the_services_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = own_stack_settings(tmp_path)
    monkeypatch.setenv("AIMODELS_STACK_DIR", str(settings.devstack_dir))
    monkeypatch.setenv("AIMODELS_ENV_FILE", str(settings.env_file))
    stack = LocalStack(settings)
    try:
        stack.up()
        # Postgres keeps running; the gateway and the mail catcher are down.
        stack.model_access.stop()
        stack.gateway.stop()
        stack.mail.stop()
        monkeypatch.setattr(GatewayProcess, "command", refuse_to_start)
        result = CliRunner().invoke(app, ["stack", "up"])
        assert result.exit_code == 1, f"exit {result.exit_code}: {result.output}"
        assert stderr_is_one_line(result.stderr), f"not one line on stderr: {result.stderr!r}"
        assert stack.cluster.is_running(), "up stopped a Postgres it did not start"
        mail_ports = stack.mail.ports()
        assert mail_ports is not None
        leftovers = processes_mentioning(f"mail serve --smtp-port {mail_ports.smtp_port} ")
        assert leftovers == [], f"a failed `stack up` left the mail catcher it started: {leftovers}"
    finally:
        stack.destroy()
