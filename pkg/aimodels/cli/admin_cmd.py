"""`aimodels admin`: an organization admin enables models and tightens per-user limits."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from aimodels.cli.output import (
    EXIT_CODES_HELP,
    JsonFlag,
    print_json,
    print_table,
    reports_errors,
    show_time,
)
from aimodels.cli.session import signed_in_client
from aimodels.client import InvalidInput
from aimodels.domain import OrgModelConfig
from aimodels.domain.onboarding import InvitedRole

admin_app = typer.Typer(
    help="Organization admins: enable or disable models for your users, set per-user "
    "limits, list members.\n\n"
    "Example: aimodels --as admin@bright-visas.example.test admin enable "
    '"Legal Document Drafter"\n\n' + EXIT_CODES_HELP,
    no_args_is_help=True,
)

ModelRef = Annotated[str, typer.Argument(help="Model name (any case) or id.")]


@admin_app.command("enable")
@reports_errors
def enable(ctx: typer.Context, model: ModelRef, json_out: JsonFlag = False) -> None:
    """Let your organization's users use a model (a trial starts the first time only)."""
    admin = signed_in_client(ctx).org_admin()
    _done(admin.enable_model(model), model, "enabled", json_out)


@admin_app.command("disable")
@reports_errors
def disable(ctx: typer.Context, model: ModelRef, json_out: JsonFlag = False) -> None:
    """Stop your organization's users using a model."""
    admin = signed_in_client(ctx).org_admin()
    _done(admin.disable_model(model), model, "disabled", json_out)


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

    Example: aimodels --as admin@bright-visas.example.test admin limit
    "Immigration Case Assistant" --tokens 10000
    """
    if (tokens is None) == (not clear):
        raise InvalidInput("give exactly one of --tokens N or --clear")
    admin = signed_in_client(ctx).org_admin()
    view = admin.set_user_limit(model, None if clear else tokens)
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


@admin_app.command("invite")
@reports_errors
def invite(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The address to invite.")],
    role: Annotated[InvitedRole, typer.Option(help="Their role in your organization.")] = (
        InvitedRole.USER
    ),
    json_out: JsonFlag = False,
) -> None:
    """Invite an address into your organization; they get a sign-in link to accept.

    Example: aimodels --as admin@acme-law.example.test admin invite bob@acme.test --role admin
    """
    issued = signed_in_client(ctx).org_admin().invite_member(email, role)
    if json_out:
        print_json(issued.model_copy(update={"token": "(sent by email)"}))
    else:
        print(
            f"invited {issued.invited_email} as {issued.invited_role}"
            f" until {show_time(issued.expires_at)}"
        )


@admin_app.command("invitations")
@reports_errors
def invitations(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Your organization's pending invitations."""
    pending = signed_in_client(ctx).org_admin().invitations()
    if json_out:
        print_json(pending)
        return
    print_table(
        "Pending invitations",
        ("id", "email", "role", "expires"),
        [(i.id, i.email, i.role, i.expires_at) for i in pending],
    )


@admin_app.command("revoke-invite")
@reports_errors
def revoke_invite(
    ctx: typer.Context,
    invitation_id: Annotated[UUID, typer.Argument(help="The invitation's id (admin invitations).")],
    json_out: JsonFlag = False,
) -> None:
    """Revoke a pending invitation: its link stops working."""
    revoked = signed_in_client(ctx).org_admin().revoke_invitation(invitation_id)
    if json_out:
        print_json(revoked)
    else:
        print(f"revoked the invitation of {revoked.email}")


@admin_app.command("remove-member")
@reports_errors
def remove_member(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The member's email address.")],
    json_out: JsonFlag = False,
) -> None:
    """Remove a member from your organization (their usage history stays)."""
    removed = signed_in_client(ctx).org_admin().remove_member(email)
    if json_out:
        print_json(removed)
    else:
        print(f"removed {email} from the organization")


def _done(config: OrgModelConfig, model: str, what: str, json_out: bool) -> None:
    if json_out:
        print_json(config)
    else:
        print(f"{model}: {what}")
