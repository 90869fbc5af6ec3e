"""Helpers for the stack tests: run the CLI as a developer would, find leftover processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from aimodels.stack.ports import free_port
from aimodels.stack.state import StackSettings

REPO = Path(__file__).resolve().parents[2]


def aimodels(
    args: list[str], env: dict[str, str], *, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """`aimodels ...` in a child process, with `env` on top of ours."""
    return subprocess.run(
        [sys.executable, "-m", "aimodels", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running (non-zombie) processes that contain `text`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text in cmdline and state != "Z":
            found.append(cmdline)
    return found


def processes_marked(gateway_folder: Path) -> list[int]:
    """Live processes a GatewayProcess started for `gateway_folder` (its supervisor, server).

    Read straight from /proc: they carry the folder in their environment.
    """
    wanted = f"AIMODELS_GATEWAY_HOME={gateway_folder.resolve()}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            marked = proc.name.isdigit() and wanted in (proc / "environ").read_bytes().split(b"\0")
            alive = marked and (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            continue
        if alive:
            found.append(int(proc.name))
    return found


def own_stack_settings(folder: Path) -> StackSettings:
    """A stack of the test's own under `folder`, on ports nobody else prefers."""
    return StackSettings(
        project_dir=REPO,
        devstack_dir=folder / "stack",
        env_file=folder / ".env",
        preferred_db_port=free_port(),
        preferred_api_port=free_port(),
    )


def stderr_is_one_line(stderr: str) -> bool:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in stderr
