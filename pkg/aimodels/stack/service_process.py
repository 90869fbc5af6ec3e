"""Run one of our HTTP services (`aimodels <noun> serve`) as a background process.

The stack knows only how to start it by command line, probe its /health and stop it; what
it serves is its own business. BackgroundProcess, the pid file, spawn, health wait and
stop, also runs the mail catcher. Secrets go in the environment, never on the command line
(which `ps` shows). Its log goes to .devstack/<name>.log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path

import requests

from aimodels.stack import procfs
from aimodels.stack.errors import StackError
from aimodels.stack.ports import port_is_free
from aimodels.stack.process import SERVERS, log


class ServiceError(StackError):
    """A service did not come up, or would not stop."""


class BackgroundProcess(ABC):
    """A server the stack runs in the background: its pid file, log, start and stop.

    `marker` is the part of its command line that tells it apart, so a recycled pid is
    never taken for it; subclasses say how to probe that it answers.
    """

    def __init__(self, devstack_dir: Path, name: str, marker: str) -> None:
        self.name = name
        self.marker = marker
        self.pid_file = devstack_dir / f"{name}.pid"
        self.log_file = devstack_dir / f"{name}.log"

    def pid(self) -> int | None:
        """The recorded pid, if that process is still this server."""
        if not self.pid_file.exists():
            return None
        pid = int(self.pid_file.read_text().strip() or 0)
        return pid if self.marker in procfs.command_line(pid) else None

    @abstractmethod
    def is_healthy(self) -> bool:
        """Whether it answers."""

    def spawn(
        self, command: Sequence[str], env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log.info("$ %s &", " ".join(command))
        with self.log_file.open("ab") as log_stream:
            process = subprocess.Popen(
                command,
                stdout=log_stream,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                start_new_session=True,  # outlives the CLI call that started it
            )
        self.pid_file.write_text(str(process.pid))
        return process

    def wait_until_healthy(
        self, process: subprocess.Popen[bytes] | None, timeout: float = 30
    ) -> None:
        """Until it answers; a process that exits or stays silent is an error (and is
        stopped, as it is when the wait is interrupted: in a session of its own, it would
        outlive the caller). None: it was already running."""
        if process is None:
            return
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise ServiceError(
                        f"{self.name} exited with {process.returncode}; see {self.log_file}"
                    )
                if self.is_healthy():
                    return
                time.sleep(0.2)
            raise ServiceError(f"{self.name} not healthy after {timeout:.0f}s; see {self.log_file}")
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 10) -> None:
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and procfs.is_alive(pid):
                time.sleep(0.1)
            if procfs.is_alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)


class ServiceProcess(BackgroundProcess):
    """One of our `aimodels <noun> serve` services, probed at /health on its port."""

    def __init__(self, devstack_dir: Path, name: str, serve_args: Sequence[str], port: int) -> None:
        self.serve_args = tuple(serve_args)  # e.g. ("provider", "serve")
        super().__init__(devstack_dir, name, " ".join(self.serve_args))
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def is_healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def start(
        self,
        *,
        extra_args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        timeout: float = 30,
    ) -> None:
        self.wait_until_healthy(self.launch(extra_args=extra_args, env=env), timeout)

    def launch(
        self, *, extra_args: Sequence[str] = (), env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes] | None:
        """Start the process without waiting for it (None: it already runs and answers), so
        that several services can come up at once; `wait_until_healthy` then waits."""
        if self.pid() is not None and self.is_healthy():
            return None
        if not port_is_free(self.port):
            raise ServiceError(f"{self.name}: port {self.port} is taken by another program")
        command = [
            sys.executable, *SERVERS, *self.serve_args, "--port", str(self.port),
            *extra_args,
        ]  # fmt: skip
        return self.spawn(command, env)
