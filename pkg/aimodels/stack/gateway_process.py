"""Run the API gateway (`aimodels gateway serve`) as a supervised background process.

The stack only knows how to start, probe and stop it; what it serves is the gateway's
business. It runs under `aimodels.stack.supervisor`, which restarts it if it dies; both
carry a marker in their environment naming this gateway's folder, so `stop` finds them even
after a kill -9 of either, and never signals a process that merely reuses an old pid.
Their log goes to <folder>/gateway.log.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import requests

from aimodels.stack import procfs
from aimodels.stack.errors import PortTaken, StackError
from aimodels.stack.ports import listens_on, port_is_free, start_on_free_port
from aimodels.stack.process import SERVERS, log, mask_secrets

_MARKER_NAME = "AIMODELS_GATEWAY_HOME"
_SUPERVISOR_MODULE = "aimodels.stack.supervisor"


class GatewayError(StackError):
    """The gateway did not come up, or would not stop."""


class GatewayProcess:
    def __init__(self, devstack_dir: Path, port: int) -> None:
        self.folder = devstack_dir
        self.pid_file = devstack_dir / "gateway.pid"  # the server's, written by the supervisor
        self.log_file = devstack_dir / "gateway.log"
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def _marker(self) -> str:
        return f"{_MARKER_NAME}={self.folder.resolve()}"

    def _ours(self) -> list[int]:
        return procfs.processes_with_env(self._marker)

    def _supervisor_and_server(self) -> tuple[int | None, int | None]:
        supervisor = server = None
        for pid in self._ours():
            if _SUPERVISOR_MODULE in procfs.command_line(pid):
                supervisor = supervisor or pid
            else:
                server = server or pid
        return supervisor, server

    def supervisor_pid(self) -> int | None:
        return self._supervisor_and_server()[0]

    def pid(self) -> int | None:
        """The running gateway server's pid (not its supervisor's), if there is one."""
        return self._supervisor_and_server()[1]

    def problem(self) -> str | None:
        """None while the gateway serves on its port; else what is wrong, in one line."""
        supervisor, server = self._supervisor_and_server()
        if supervisor is None and server is None:
            return "the API gateway is not running"
        if server is None:
            return "the API gateway died and its supervisor is restarting it"
        if not listens_on(server, self.port):
            return f"the API gateway is not listening on port {self.port}"
        try:
            answer = requests.get(f"{self.url}/health", timeout=2)
        except requests.RequestException as error:
            return f"the API gateway does not answer /health ({type(error).__name__})"
        if answer.status_code != 200:
            return f"the API gateway is unhealthy: /health answered {answer.status_code}"
        if supervisor is None:
            return "the API gateway serves but nothing will restart it (its supervisor died)"
        return None

    def is_healthy(self) -> bool:
        return self.problem() is None

    def start(
        self,
        *,
        rest_db_url: str,
        auth_db_url: str,
        extra_args: Sequence[str] = (),
        timeout: float = 30,
    ) -> None:
        """Serve on `self.port`, or on a free port if another program holds it (see `.port`).

        A gateway already serving is left alone; a dead or unhealthy one is replaced. On
        failure nothing of this gateway is left running.
        """
        if self.problem() is None:
            return
        self.stop()
        self.port = start_on_free_port(
            self.port,
            lambda port: self._launch(
                port,
                rest_db_url=rest_db_url,
                auth_db_url=auth_db_url,
                extra_args=extra_args,
                timeout=timeout,
            ),
        )

    def _launch(
        self,
        port: int,
        *,
        rest_db_url: str,
        auth_db_url: str,
        extra_args: Sequence[str],
        timeout: float,
    ) -> None:
        self.port = port
        if not port_is_free(port):
            raise PortTaken(port)
        command = [
            sys.executable,
            "-m",
            _SUPERVISOR_MODULE,
            "--pid-file",
            str(self.pid_file),
            "--",
            *self.command(rest_db_url=rest_db_url, auth_db_url=auth_db_url, extra_args=extra_args),
        ]
        log.info("$ %s &", mask_secrets(" ".join(command)))
        name, value = self._marker.split("=", 1)
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log_stream:
            supervisor = subprocess.Popen(
                command,
                stdout=log_stream,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, name: value},
                start_new_session=True,  # outlives the CLI call that started it
            )
        try:
            self._wait_until_serving(supervisor, timeout)
        except BaseException:
            # Failed, or interrupted (Ctrl-C; SIGTERM, which the CLI turns into SystemExit)
            # before the caller had a gateway to stop: in a session of its own, it would
            # outlive the caller.
            self.stop()
            raise

    def _wait_until_serving(self, supervisor: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        problem = self.problem()
        while time.monotonic() < deadline:
            if supervisor.poll() is not None:
                # The server exited before serving, and the unarmed supervisor with it.
                if not port_is_free(self.port):
                    raise PortTaken(self.port)
                raise GatewayError(
                    f"the API gateway exited with {supervisor.returncode} before serving: "
                    f"{self._last_log_line()} (see {self.log_file})"
                )
            problem = self.problem()
            if problem is None:
                os.kill(supervisor.pid, signal.SIGUSR1)  # arm: restart it from now on
                return
            time.sleep(0.2)
        raise GatewayError(f"after {timeout:.0f}s, {problem} (see {self.log_file})")

    def command(
        self, *, rest_db_url: str, auth_db_url: str, extra_args: Sequence[str] = ()
    ) -> list[str]:
        """The gateway's command line: the stack knows it only as a program to run."""
        return [
            sys.executable,
            *SERVERS,
            "gateway",
            "serve",
            "--db-url",
            rest_db_url,
            "--auth-db-url",
            auth_db_url,
            "--port",
            str(self.port),
            *extra_args,
        ]

    def stop(self, timeout: float = 10) -> None:
        """Stop the supervisor first (so it restarts nothing), then whatever is left."""
        supervisor = self.supervisor_pid()
        if supervisor is not None:
            _signal(supervisor, signal.SIGTERM)
            self._wait_for([supervisor], timeout)
        left = self._ours() + self._unsupervised()
        for pid in left:
            _signal(pid, signal.SIGTERM)
        if left and not self._wait_for(left, timeout):
            for pid in self._ours():
                _signal(pid, signal.SIGKILL)
            self._wait_for(left, timeout)
        self.pid_file.unlink(missing_ok=True)

    def _unsupervised(self) -> list[int]:
        """A gateway started without a supervisor (by an older `stack up`): its pid file."""
        try:
            pid = int(self.pid_file.read_text().strip() or 0)
        except (OSError, ValueError):
            return []
        serving = procfs.is_alive(pid) and "gateway serve" in procfs.command_line(pid)
        return [pid] if serving and pid not in self._ours() else []

    def _wait_for(self, pids: list[int], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while any(procfs.is_alive(pid) for pid in pids):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def _last_log_line(self) -> str:
        if not self.log_file.exists():
            return ""
        lines = [line for line in self.log_file.read_text(errors="replace").splitlines() if line]
        return lines[-1].strip() if lines else ""


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
