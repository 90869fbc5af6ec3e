"""A tiny supervisor: runs one server, restarts it when it dies, stops it on SIGTERM.

    python -m aimodels.stack.supervisor --pid-file FILE -- COMMAND...

The stack launches the API gateway under it, so a gateway that crashes or is killed comes
back by itself. Until armed (SIGUSR1, sent by the starter once the server answered its
health check) an exit ends the supervisor with the server's code: a server that never came
up (its port taken, a bad option) is for the starter to report, not to retry forever. Once
armed, an unexpected exit is restarted after a delay that doubles from 0.5 s to 10 s and
starts over after a minute of uptime. SIGTERM or SIGINT stops the server and then itself.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

FIRST_DELAY = 0.5
MAX_DELAY = 10.0
STABLE_AFTER = 60.0
STOP_GRACE = 10.0


class Supervisor:
    def __init__(self, command: list[str], pid_file: Path) -> None:
        self.command = command
        self.pid_file = pid_file
        self.armed = False
        self.stopping = False
        self.child: subprocess.Popen[bytes] | None = None

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGUSR1, self._on_arm)

    def _on_stop(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopping = True
        self._terminate_child()

    def _on_arm(self, _signum: int, _frame: FrameType | None) -> None:
        self.armed = True

    def _terminate_child(self) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()

    def run(self) -> int:
        delay = FIRST_DELAY
        while True:
            started = time.monotonic()
            self.child = subprocess.Popen(self.command, stdin=subprocess.DEVNULL)
            self.pid_file.write_text(str(self.child.pid))
            if self.stopping:  # SIGTERM arrived while the child was being born
                self._terminate_child()
            code = self._wait_child()
            if self.stopping:
                return 0
            if not self.armed:
                return code or 1
            if time.monotonic() - started >= STABLE_AFTER:
                delay = FIRST_DELAY
            say(f"server exited with {code}; restarting in {delay:.1f}s")
            self._pause(delay)
            if self.stopping:
                return 0
            delay = min(delay * 2, MAX_DELAY)

    def _wait_child(self) -> int:
        return 0 if self.child is None else self.child.wait()

    def _pause(self, seconds: float) -> None:
        """Sleep, but wake up at once for SIGTERM."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


def say(message: str) -> None:
    """One line in the server's log (the supervisor shares its stderr)."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    print(f"{stamp} aimodels.stack.supervisor {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aimodels.stack.supervisor")
    parser.add_argument("--pid-file", type=Path, required=True, help="Where the server's pid goes.")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND...")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to supervise")
    supervisor = Supervisor(command, args.pid_file)
    supervisor.install_signal_handlers()
    try:
        return supervisor.run()
    finally:
        args.pid_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
