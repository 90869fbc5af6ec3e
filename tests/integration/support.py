"""Helpers shared by the integration tests (fixtures live in conftest.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

Cli = Callable[..., "subprocess.CompletedProcess[str]"]
"""`cli(*args, cwd=REPO)`: run the `aimodels` program, as the `cli_on_test_stack` fixture."""
