"""`aimodels signup`, `aimodels admin invite|invitations|revoke-invite|remove-member` and
`aimodels mail list|show` against the test stack (typer's CliRunner)."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner, Result

from aimodels.cli.app import app
from aimodels.stack.state import StackInfo
from tests.onboarding.support import Mailbox, new_email

ADMIN = "admin@pulse-health.example.test"
Run = Callable[..., Result]


@pytest.fixture
def run(db: StackInfo, mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory) -> Run:
    runner = CliRunner()
    empty_env = tmp_path_factory.mktemp("env") / "empty.env"  # a named .env must exist
    empty_env.touch()
    base_env = {
        "SUPABASE_URL": db.api_url,
        "SUPABASE_ANON_KEY": db.anon_key,
        "AIMODELS_ENV_FILE": str(empty_env),
        "AIMODELS_PASSWORD": "",
        "COLUMNS": "200",
    }

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env={**base_env, **(env or {})})

    return invoke


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_signup_sends_the_confirmation_and_mail_show_prints_it(run: Run, mailbox: Mailbox) -> None:
    email = new_email("cli-founder")
    out = _ok(
        run(
            "signup", email, "--org-name", "CLI Co", "--org-type", "travel", "--json",
            env={"AIMODELS_PASSWORD": "cli-pass-123"},
        )
    )  # fmt: skip
    assert json.loads(out.stdout)["confirmation_sent"] is True
    message = mailbox.wait_for(email, "Confirm Your Signup")
    listed = json.loads(_ok(run("mail", "list", "--json", "--url", mailbox.url)).stdout)
    assert any(m["id"] == message.id and email in m["to"] for m in listed)
    shown = json.loads(_ok(run("mail", "show", message.id, "--json", "--url", mailbox.url)).stdout)
    assert shown["links"] == message.links and "/auth/v1/verify?token=" in shown["links"][0]
    assert run("mail", "show", "999999", "--url", mailbox.url).exit_code == 6


def test_signup_with_an_unknown_org_type_is_a_usage_error(run: Run) -> None:
    result = run("signup", new_email("x"), "--org-name", "X", "--org-type", "casino")
    assert result.exit_code == 2


def test_admin_invites_lists_and_revokes(run: Run, mailbox: Mailbox) -> None:
    email = new_email("cli-invitee")
    issued = json.loads(
        _ok(run("--as", ADMIN, "admin", "invite", email, "--role", "admin", "--json")).stdout
    )
    assert issued["invited_role"] == "admin" and issued["token"] == "(sent by email)"
    link = mailbox.wait_for(email, "Confirm Your Signup").links[0]
    redirect = parse_qs(urlsplit(link).query)["redirect_to"][0]
    assert redirect.startswith("http://127.0.0.1:3000/accept-invitation?token=")
    pending = json.loads(_ok(run("--as", ADMIN, "admin", "invitations", "--json")).stdout)
    assert [i["email"] for i in pending if i["id"] == issued["invitation_id"]] == [email]
    _ok(run("--as", ADMIN, "admin", "revoke-invite", issued["invitation_id"]))
    pending = json.loads(_ok(run("--as", ADMIN, "admin", "invitations", "--json")).stdout)
    assert all(i["id"] != issued["invitation_id"] for i in pending)


def test_a_user_cannot_invite(run: Run) -> None:
    result = run("--as", "user1@pulse-health.example.test", "admin", "invite", new_email("no"))
    assert result.exit_code == 4, result.output


def test_admin_removes_a_member(run: Run) -> None:
    removed = json.loads(
        _ok(
            run(
                "--as", ADMIN, "admin", "remove-member", "user2@pulse-health.example.test", "--json"
            )
        ).stdout
    )
    assert removed["organization_id"] == "00000000-0000-0000-0001-000000000005"
    again = run("--as", ADMIN, "admin", "remove-member", "user2@pulse-health.example.test")
    assert again.exit_code == 6, "no longer a member: not found"


def test_an_invitee_accepts_from_the_command_line(run: Run, mailbox: Mailbox) -> None:
    email = new_email("cli-joiner")
    _ok(run("--as", ADMIN, "admin", "invite", email))
    link = mailbox.wait_for(email, "Confirm Your Signup").links[0]
    joined = json.loads(
        _ok(run("accept-invite", link, "--json", env={"AIMODELS_PASSWORD": "joiner-pass-1"})).stdout
    )
    assert joined == {"organization_id": "00000000-0000-0000-0001-000000000005", "role": "user"}
    again = run("accept-invite", link, env={"AIMODELS_PASSWORD": "joiner-pass-1"})
    assert again.exit_code == 3, "a spent link is refused (sign-in failed)"
    listed = json.loads(
        _ok(
            run(
                "--as",
                email,
                "models",
                "list",
                "--json",
                env={"AIMODELS_PASSWORD": "joiner-pass-1"},
            )
        ).stdout
    )
    assert isinstance(listed, list), "the new member signs in with the chosen password"
