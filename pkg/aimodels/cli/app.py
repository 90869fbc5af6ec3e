"""The `aimodels` command: one typer sub-app per noun, registered here and nowhere else.

Exit codes (every sub-command): 0 success; 1 a check or operation failed; 2 bad usage or
input; 3 sign-in failed; 4 permission denied; 5 a limit or quota refused the request;
6 not found.
"""

from __future__ import annotations

from typing import Annotated

import typer

from aimodels.cli.admin_cmd import admin_app
from aimodels.cli.bench_cmd import bench_app
from aimodels.cli.catalog_cmd import catalog_app
from aimodels.cli.chat_cmd import chat_command
from aimodels.cli.context import CliContext
from aimodels.cli.db_cmd import db_app
from aimodels.cli.gateway_cmd import gateway_app
from aimodels.cli.models_cmd import models_app
from aimodels.cli.orgs_cmd import orgs_app
from aimodels.cli.provider_cmd import provider_app
from aimodels.cli.proxy_cmd import proxy_app
from aimodels.cli.quota_cmd import quota_command
from aimodels.cli.rls_cmd import rls_app
from aimodels.cli.stack_cmd import stack_app
from aimodels.cli.usage_cmd import usage_app
from aimodels.cli.verify_cmd import verify_command

app = typer.Typer(
    name="aimodels",
    help=__doc__,
    no_args_is_help=True,
    rich_markup_mode="rich",
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
            help="Act as this account (password from AIMODELS_PASSWORD, a prompt, or the "
            "seeded development password for *.example.test accounts). "
            "Example: aimodels --as user1@acme-law.example.test models list",
        ),
    ] = None,
) -> None:
    """Governed access to system AI models on Supabase."""
    ctx.obj = CliContext(as_email=as_email)


app.add_typer(stack_app, name="stack")
app.add_typer(db_app, name="db")
app.add_typer(gateway_app, name="gateway")
app.command("verify")(verify_command)
app.add_typer(models_app, name="models")
app.command("quota")(quota_command)
app.add_typer(usage_app, name="usage")
app.add_typer(admin_app, name="admin")
app.add_typer(catalog_app, name="catalog")
app.add_typer(orgs_app, name="orgs")
app.add_typer(rls_app, name="rls")
app.add_typer(bench_app, name="bench")
app.command("chat")(chat_command)
app.add_typer(provider_app, name="provider")
app.add_typer(proxy_app, name="proxy")


def main() -> None:
    app()
