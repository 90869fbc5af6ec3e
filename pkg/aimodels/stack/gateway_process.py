"""Run the API gateway (`aimodels gateway serve`) as a background process of the stack.

The stack only knows how to start, probe and stop it; what it serves is the gateway's
business. Its log goes to .devstack/gateway.log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import requests

from aimodels.stack.cluster import port_is_free
from aimodels.stack.process import log, mask_secrets


class GatewayError(RuntimeError):
    """The gateway did not come up, or would not stop."""


class GatewayProcess:
    def __init__(self, devstack_dir: Path, port: int) -> None:
        self.pid_file = devstack_dir / "gateway.pid"
        self.log_file = devstack_dir / "gateway.log"
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pid(self) -> int | None:
        """The recorded pid, if that process is still our gateway."""
        if not self.pid_file.exists():
            return None
        pid = int(self.pid_file.read_text().strip() or 0)
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return None
        return pid if "gateway serve" in cmdline else None

    def is_healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def start(
        self,
        *,
        rest_db_url: str,
        auth_db_url: str,
        extra_args: Sequence[str] = (),
        timeout: float = 30,
    ) -> None:
        if self.pid() is not None and self.is_healthy():
            return
        if not port_is_free(self.port):
            # Whatever answers there is not ours: a health check would be fooled by it.
            raise GatewayError(f"port {self.port} is taken by another program")
        command = [
            sys.executable,
            "-m",
            "aimodels",
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
        log.info("$ %s &", mask_secrets(" ".join(command)))
        with self.log_file.open("ab") as log_stream:
            process = subprocess.Popen(
                command,
                stdout=log_stream,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # outlives the CLI call that started it
            )
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise GatewayError(
                    f"gateway exited with {process.returncode}; see {self.log_file}:\n"
                    + self._log_tail()
                )
            if self.is_healthy():
                return
            time.sleep(0.2)
        self.stop()
        raise GatewayError(f"gateway not healthy after {timeout:.0f}s; see {self.log_file}")

    def stop(self, timeout: float = 10) -> None:
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
                if is_zombie(pid):
                    break
                time.sleep(0.1)
            else:
                if Path(f"/proc/{pid}").exists():
                    os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)

    def _log_tail(self, lines: int = 20) -> str:
        if not self.log_file.exists():
            return ""
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])


def is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (OSError, IndexError):
        return True
