"""The `aimodels` command: one typer sub-app per noun, registered here (the stack runs the
four serve commands through aimodels.cli.servers, which registers only those)."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated, NoReturn

import typer

from aimodels.cli.admin_cmd import admin_app
from aimodels.cli.bench_cmd import bench_app
from aimodels.cli.catalog_cmd import catalog_app
from aimodels.cli.chat_cmd import CHAT_HELP, chat_command
from aimodels.cli.context import CliContext
from aimodels.cli.db_cmd import db_app
from aimodels.cli.exits import EXIT_CODES_HELP
from aimodels.cli.gateway_cmd import gateway_app
from aimodels.cli.group import AimodelsGroup
from aimodels.cli.mail_cmd import mail_app
from aimodels.cli.models_cmd import models_app
from aimodels.cli.orgs_cmd import orgs_app
from aimodels.cli.provider_cmd import provider_app
from aimodels.cli.proxy_cmd import proxy_app
from aimodels.cli.quota_cmd import quota_command
from aimodels.cli.rls_cmd import rls_app
from aimodels.cli.session import ACTOR_ENV, PASSWORD_ENV
from aimodels.cli.signup_cmd import accept_invite_command, signup_command
from aimodels.cli.stack_cmd import stack_app
from aimodels.cli.usage_cmd import usage_app
from aimodels.cli.verify_cmd import verify_command

HELP = (
    "Governed access to system AI models on Supabase: the local stack, the database, "
    "the catalog, organizations, models, quotas and usage, and the RLS proof.\n\n"
    f"Sign in with --as EMAIL (before or after the command) or {ACTOR_ENV}; "
    "every command that prints a result takes --json.\n\n"
    "Example: aimodels --as user1@acme-law.example.test models list\n\n" + EXIT_CODES_HELP
)

app = typer.Typer(
    name="aimodels",
    cls=AimodelsGroup,
    help=HELP,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    as_email: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="EMAIL",
            envvar=ACTOR_ENV,
            help=f"Act as this account (also ${ACTOR_ENV}). Password: ${PASSWORD_ENV}, "
            "else the seeded development password for *.example.test accounts, else a "
            "prompt on a terminal.",
        ),
    ] = None,
) -> None:
    ctx.obj = CliContext(as_email=as_email)


app.add_typer(stack_app, name="stack")
app.add_typer(db_app, name="db")
app.add_typer(gateway_app, name="gateway")
app.add_typer(mail_app, name="mail")
app.command("verify")(verify_command)
app.add_typer(models_app, name="models")
app.command("quota")(quota_command)
app.add_typer(usage_app, name="usage")
app.command("signup")(signup_command)
app.command("accept-invite")(accept_invite_command)
app.add_typer(admin_app, name="admin")
app.add_typer(catalog_app, name="catalog")
app.add_typer(orgs_app, name="orgs")
app.add_typer(rls_app, name="rls")
app.add_typer(bench_app, name="bench")
app.command("chat", help=CHAT_HELP)(chat_command)
app.add_typer(provider_app, name="provider")
app.add_typer(proxy_app, name="proxy")


def _unwind_on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    # `kill` and a CI job's timeout send SIGTERM, which by default ends Python at once: no
    # `finally` runs, and the servers a command started in sessions of their own (a
    # benchmark's gateway, model access service and provider) outlive it, with their
    # database sessions. As SystemExit the command unwinds and stops them; the status is
    # the one a shell reports for SIGTERM.
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _unwind_on_sigterm)
    app()
