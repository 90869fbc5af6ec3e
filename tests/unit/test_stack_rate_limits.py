"""The auth rate limits stay as the stack was set up, whoever restarts its gateway.

The test suite's stack runs without them (every request comes from one address); the CLI
aimed at that stack (`db reset`, `stack up`) restarts its gateway and must keep them off,
or later tests are refused with 429 over_request_rate_limit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.mail_process import MailCatcherProcess, MailPorts
from aimodels.stack.state import StackSettings

REPO = Path(__file__).resolve().parents[2]


def rate_limits_passed_to_the_gateway(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Start the gateway as the stack does (nothing runs) and read its --auth-flows."""
    started: list[Sequence[str]] = []

    def record_start(
        gateway: GatewayProcess, *, extra_args: Sequence[str] = (), **_options: object
    ) -> None:
        started.append(extra_args)

    def no_mail(mail: MailCatcherProcess, timeout: float = 15) -> MailPorts:
        return MailPorts(web_port=1, smtp_port=2)

    monkeypatch.setattr(GatewayProcess, "start", record_start)
    monkeypatch.setattr(MailCatcherProcess, "start", no_mail)
    stack._start_gateway()
    args = list(started[-1])
    flows = json.loads(args[args.index("--auth-flows") + 1])
    return bool(flows["rate_limits"]["enabled"])


def test_the_cli_keeps_the_rate_limits_off_on_a_stack_set_up_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    test_stack = LocalStack(StackSettings.for_tests(REPO, tmp_path / "stack"))
    assert not rate_limits_passed_to_the_gateway(test_stack, monkeypatch)

    # The CLI pointed at the same folder (as the docs and CLI tests run it).
    monkeypatch.setenv("AIMODELS_STACK_DIR", str(tmp_path / "stack"))
    monkeypatch.setenv("AIMODELS_ENV_FILE", str(tmp_path / ".env"))
    cli_stack = LocalStack(StackSettings.for_project(REPO))
    assert not rate_limits_passed_to_the_gateway(cli_stack, monkeypatch), (
        "the CLI restarted the test stack's gateway with rate limits on"
    )


def test_a_new_stack_has_the_rate_limits_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMODELS_STACK_DIR", str(tmp_path / "stack"))
    monkeypatch.setenv("AIMODELS_ENV_FILE", str(tmp_path / ".env"))
    assert rate_limits_passed_to_the_gateway(
        LocalStack(StackSettings.for_project(REPO)), monkeypatch
    )
