"""`aimodels admin`: an organization admin enables models and tightens per-user limits."""

from __future__ import annotations

from typing import Annotated

import typer

from aimodels.cli.output import EXIT_CODES_HELP, JsonFlag, print_json, print_table, reports_errors
from aimodels.cli.session import signed_in_client
from aimodels.client import InvalidInput
from aimodels.domain import OrgModelConfig

admin_app = typer.Typer(
    help="Organization admins: enable or disable models for your users, set per-user "
    "limits, list members.\n\n"
    'Example: aimodels --as admin@acme-law.example.test admin enable "Legal Assistant"\n\n'
    + EXIT_CODES_HELP,
    no_args_is_help=True,
)

ModelRef = Annotated[str, typer.Argument(help="Model name (any case) or id.")]


@admin_app.command("enable")
@reports_errors
def enable(ctx: typer.Context, model: ModelRef, json_out: JsonFlag = False) -> None:
    """Let your organization's users use a model (a trial starts the first time only)."""
    admin = signed_in_client(ctx).org_admin()
    _done(admin.enable_model(admin.find_model(model).model.id), model, "enabled", json_out)


@admin_app.command("disable")
@reports_errors
def disable(ctx: typer.Context, model: ModelRef, json_out: JsonFlag = False) -> None:
    """Stop your organization's users using a model."""
    admin = signed_in_client(ctx).org_admin()
    _done(admin.disable_model(admin.find_model(model).model.id), model, "disabled", json_out)


@admin_app.command("limit")
@reports_errors
def limit(
    ctx: typer.Context,
    model: ModelRef,
    tokens: Annotated[
        int | None, typer.Option("--tokens", help="Tokens per user per period.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove your limit.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Set or clear the per-user token limit (it can only tighten the model's own).

    Example: aimodels --as admin@acme-law.example.test admin limit "Legal Assistant" --tokens 500
    """
    if (tokens is None) == (not clear):
        raise InvalidInput("give exactly one of --tokens N or --clear")
    admin = signed_in_client(ctx).org_admin()
    view = admin.set_user_limit(admin.find_model(model).model.id, None if clear else tokens)
    if json_out:
        print_json(view)
        return
    # What applies, as stored: the model's own limit after --clear.
    effective = view.effective_limit
    applies = (
        "no per-user limit applies"
        if effective is None
        else f"{effective} tokens per user per {view.model.token_limit_period} period"
    )
    print(f"{model}: {'limit cleared' if clear else 'limit set'}; effective limit: {applies}")


@admin_app.command("members")
@reports_errors
def members(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """List your organization's members and their roles."""
    people = signed_in_client(ctx).org_admin().members()
    if json_out:
        print_json(people)
        return
    print_table("Members", ("name", "role", "id"), [(p.display_name, p.role, p.id) for p in people])


def _done(config: OrgModelConfig, model: str, what: str, json_out: bool) -> None:
    if json_out:
        print_json(config)
    else:
        print(f"{model}: {what}")
