"""`aimodels models`: the models you may see, shown for your role."""

from __future__ import annotations

from typing import Annotated

import typer

from aimodels.cli.output import (
    EXIT_CODES_HELP,
    Columns,
    JsonFlag,
    print_fields,
    print_json,
    print_rows,
    reports_errors,
)
from aimodels.cli.session import signed_in_client
from aimodels.client import AIModelsClient
from aimodels.domain import OrgModelView, Role, SystemModel, UsableModel

models_app = typer.Typer(
    help="List and show models: the whole catalog for a superadmin, the models your "
    "organization may enable for an admin, the models you may use for a user.\n\n"
    "Example: aimodels --as user1@bright-visas.example.test models list\n\n" + EXIT_CODES_HELP,
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
            print_json(catalog) if json_out else print_rows("Catalog", _CATALOG, catalog)
        case Role.ADMIN:
            views = client.org_admin().visible_models()
            print_json(views) if json_out else print_rows("Models you may enable", _ADMIN, views)
        case Role.USER:
            usable = client.user().usable_models()
            print_json(usable) if json_out else print_rows("Models you may use", _USER, usable)


@models_app.command("show")
@reports_errors
def show_model(ctx: typer.Context, model: ModelRef, json_out: JsonFlag = False) -> None:
    """Show one model (never its API key).

    Example: aimodels --as user1@bright-visas.example.test models show "Immigration Case Assistant"
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
            return client.org_admin().model_view(ref)
        case Role.USER:
            return client.user().find_model(ref)


def _limit(tokens: int | None) -> object:
    return "unlimited" if tokens is None else tokens


def _trial_days(model: SystemModel) -> object:
    return model.trial_expires_days if model.is_trial else None


# Column specs for people: (header, cell). Ids are in --json and `models show`.
_CATALOG: Columns[SystemModel] = (
    ("name", lambda m: m.name),
    ("plan", lambda m: m.required_plan),
    ("types", lambda m: m.organization_types or "all"),
    ("limit", lambda m: _limit(m.token_limit_amount)),
    ("period", lambda m: m.token_limit_period),
    ("free", lambda m: m.is_free),
    ("trial days", _trial_days),
    ("active", lambda m: m.is_active),
    ("featured", lambda m: m.is_featured),
    ("order", lambda m: m.sort_order),
    ("key set", lambda m: m.has_api_key),
)
_ADMIN: Columns[OrgModelView] = (
    ("name", lambda v: v.model.name),
    ("enabled", lambda v: v.is_enabled),
    ("model limit", lambda v: _limit(v.model.token_limit_amount)),
    ("org limit", lambda v: v.admin_limit),
    ("effective", lambda v: _limit(v.effective_limit)),
    ("period", lambda v: v.model.token_limit_period),
    ("free", lambda v: v.model.is_free),
    ("trial days", lambda v: _trial_days(v.model)),
)
_USER: Columns[UsableModel] = (
    ("name", lambda m: m.name),
    ("featured", lambda m: m.is_featured),
    ("limit", lambda m: _limit(m.effective_token_limit)),
    ("period", lambda m: m.token_limit_period),
    ("free", lambda m: m.is_free),
    ("trial ends", lambda m: m.trial_ends_at),
)
