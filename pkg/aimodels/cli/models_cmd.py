"""`aimodels models`: the models you may see, shown for your role."""

from __future__ import annotations

from typing import Annotated

import typer

from aimodels.cli.output import (
    EXIT_CODES_HELP,
    JsonFlag,
    print_fields,
    print_json,
    print_table,
    reports_errors,
)
from aimodels.cli.session import signed_in_client
from aimodels.client import AIModelsClient
from aimodels.domain import OrgModelView, Role, SystemModel, UsableModel

models_app = typer.Typer(
    help="List and show models: the whole catalog for a superadmin, the models your "
    "organization may enable for an admin, the models you may use for a user.\n\n"
    "Example: aimodels --as user1@acme-law.example.test models list\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
)

ModelRef = Annotated[str, typer.Argument(help="Model name (any case) or id.")]


@models_app.command("list")
@reports_errors
def list_models(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """List the models your role may see (featured first for users).

    Example: aimodels --as admin@acme-law.example.test models list --json
    """
    client = signed_in_client(ctx)
    match client.actor.role:
        case Role.SUPERADMIN:
            catalog = client.catalog().list_models()
            print_json(catalog) if json_out else _catalog_table(catalog)
        case Role.ADMIN:
            views = client.org_admin().visible_models()
            print_json(views) if json_out else _admin_table(views)
        case Role.USER:
            usable = client.user().usable_models()
            print_json(usable) if json_out else _user_table(usable)


@models_app.command("show")
@reports_errors
def show_model(ctx: typer.Context, model: ModelRef, json_out: JsonFlag = False) -> None:
    """Show one model (never its API key).

    Example: aimodels --as user1@acme-law.example.test models show "Legal Assistant"
    """
    found = find_model(signed_in_client(ctx), model)
    if json_out:
        print_json(found)
        return
    shown = found.model if isinstance(found, OrgModelView) else found
    fields: list[tuple[str, object]] = list(shown.model_dump(exclude={"has_api_key"}).items())
    if isinstance(found, OrgModelView):
        fields += [("enabled for users", found.is_enabled), ("org limit", found.admin_limit)]
        fields += [("effective limit", found.effective_limit)]
    print_fields(shown.name, fields)


def find_model(client: AIModelsClient, ref: str) -> SystemModel | OrgModelView | UsableModel:
    """The model `ref` names, among those the signed-in role may see."""
    match client.actor.role:
        case Role.SUPERADMIN:
            return client.catalog().get_model(ref)
        case Role.ADMIN:
            return client.org_admin().find_model(ref)
        case Role.USER:
            return client.user().find_model(ref)


def _catalog_table(models: list[SystemModel]) -> None:
    print_table(
        "Catalog",
        (
            "name",
            "plan",
            "types",
            "limit",
            "period",
            "free",
            "trial days",
            "active",
            "featured",
            "order",
            "key set",
            "id",
        ),
        [
            (
                m.name,
                m.required_plan,
                m.organization_types or "all",
                m.token_limit_amount,
                m.token_limit_period,
                m.is_free,
                m.trial_expires_days if m.is_trial else None,
                m.is_active,
                m.is_featured,
                m.sort_order,
                m.has_api_key,
                m.id,
            )
            for m in models
        ],
    )


def _admin_table(views: list[OrgModelView]) -> None:
    print_table(
        "Models your organization may enable",
        (
            "name",
            "enabled",
            "model limit",
            "org limit",
            "effective",
            "period",
            "free",
            "trial days",
            "id",
        ),
        [
            (
                v.model.name,
                v.is_enabled,
                v.model.token_limit_amount,
                v.admin_limit,
                v.effective_limit,
                v.model.token_limit_period,
                v.model.is_free,
                v.model.trial_expires_days if v.model.is_trial else None,
                v.model.id,
            )
            for v in views
        ],
    )


def _user_table(models: list[UsableModel]) -> None:
    print_table(
        "Models you may use",
        ("name", "featured", "limit", "period", "free", "trial ends", "id"),
        [
            (
                m.name,
                m.is_featured,
                m.effective_token_limit,
                m.token_limit_period,
                m.is_free,
                m.trial_ends_at,
                m.id,
            )
            for m in models
        ],
    )
