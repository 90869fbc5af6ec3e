"""Helpers shared by the integration tests (fixtures live in conftest.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from aimodels.client import AIModelsClient

REPO = Path(__file__).resolve().parents[2]

Cli = Callable[..., "subprocess.CompletedProcess[str]"]
"""`cli(*args, cwd=REPO)`: run the `aimodels` program, as the `cli_on_test_stack` fixture."""

SignIn = Callable[[str], AIModelsClient]
"""`sign_in(email)`: a client signed in as that seeded account (the `sign_in` fixture)."""
