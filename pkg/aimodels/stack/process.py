"""The one way this package runs other programs (pg_ctl, initdb, supabase, pg_prove).

It logs each command with credentials in URLs masked, checks the exit code, and raises
with stderr attached, so a failing step reads as one clear error.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from aimodels.stack.errors import StackError

log = logging.getLogger("aimodels.stack")

# How the stack runs its servers: `python -m aimodels.cli.servers NOUN serve ...`, the same
# commands as `aimodels NOUN serve` without importing the whole command line.
SERVERS = ("-m", "aimodels.cli.servers")

_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def mask_secrets(text: str) -> str:
    """Hide the password part of any connection URL in a command line or message."""
    return _URL_PASSWORD.sub(r"\1***@", text)


class CommandFailed(StackError):
    """A program exited non-zero; carries what it printed on stderr."""

    def __init__(self, command: Sequence[str], returncode: int, stderr: str, stdout: str) -> None:
        self.command = [mask_secrets(part) for part in command]
        self.returncode = returncode
        self.stderr = mask_secrets(stderr)
        self.stdout = mask_secrets(stdout)
        tail = (self.stderr.strip() or self.stdout.strip())[-2000:]
        super().__init__(f"`{' '.join(self.command)}` exited {returncode}: {tail}")

    def one_line(self) -> str:
        """The program, its exit code and the last line it printed."""
        lines = [line for line in (self.stderr or self.stdout).splitlines() if line.strip()]
        said = f": {lines[-1].strip()}" if lines else ""
        return f"`{Path(self.command[0]).name}` exited {self.returncode}{said}"


def run(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = 600,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion, capturing its output."""
    log.info("$ %s", mask_secrets(" ".join(command)))
    full_env = {**os.environ, **(env or {})}
    completed = subprocess.run(
        list(command),
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and completed.returncode != 0:
        raise CommandFailed(command, completed.returncode, completed.stderr, completed.stdout)
    return completed


def as_unprivileged(command: Sequence[str], user: str | None) -> list[str]:
    """Prefix a command so it runs as `user` (Postgres refuses to run as root)."""
    if user is None:
        return list(command)
    return ["runuser", "-u", user, "--", *command]
