"""CPU a process has used, read from /proc: what a benchmark's servers spend per call.

Unlike latency, CPU barely depends on what else the shared machine runs. Clock ticks are
10 ms, so it is read over many calls (`small` and up).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU a process has used so far (0 when it is unknown or gone)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def total_cpu_seconds(pids: Iterable[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)
