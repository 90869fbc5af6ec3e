"""The stack runs its servers through aimodels.cli.servers: the same serve commands as the
`aimodels` command, without importing the client (openai, supabase-py), which cost each
server about 2 s of CPU before it served."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from aimodels.cli.app import app as aimodels_app
from aimodels.cli.servers import app as servers_app
from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.process import SERVERS

NOUNS = ("gateway", "mail", "provider", "proxy")


def _serve(app: typer.Typer, noun: str) -> Any:
    # Groups of typer's own click: looked up by their commands mapping.
    root: Any = typer.main.get_command(app)
    return root.commands[noun].commands["serve"]


@pytest.mark.parametrize("noun", NOUNS)
def test_each_server_is_the_aimodels_command_itself(noun: str) -> None:
    ours, theirs = _serve(servers_app, noun), _serve(aimodels_app, noun)
    assert inspect.unwrap(ours.callback) is inspect.unwrap(theirs.callback)
    assert [p.name for p in ours.params] == [p.name for p in theirs.params]


def test_the_servers_module_imports_no_client_library() -> None:
    probe = (
        "import sys, aimodels.cli.servers; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'openai', 'supabase', 'httpx', 'requests', 'postgrest', 'gotrue'})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


def test_the_stack_starts_the_gateway_through_the_servers_module(tmp_path: Path) -> None:
    command = GatewayProcess(tmp_path, 54321).command(rest_db_url="r", auth_db_url="a")
    assert command[1:5] == [*SERVERS, "gateway", "serve"]
    help_run = subprocess.run(
        [sys.executable, *SERVERS, "gateway", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert help_run.returncode == 0, help_run.stderr
    assert "--auth-db-url" in help_run.stdout
