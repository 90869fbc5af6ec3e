"""The machine a run happened on, printed next to every table."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import psycopg

from aimodels.bench.report import Machine


def _memory_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def describe_machine(db_url: str) -> Machine:
    with psycopg.connect(db_url) as conn:
        row = conn.execute("show server_version").fetchone()
    return Machine(
        cpus=os.cpu_count() or 1,
        memory_gb=_memory_gb(),
        postgres=str(row[0]) if row else "unknown",
        python=platform.python_version(),
        platform=platform.platform(terse=True),
    )
