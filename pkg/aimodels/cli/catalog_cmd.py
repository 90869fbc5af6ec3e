"""`aimodels catalog`: superadmins keep the catalog of system models."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer

from aimodels.cli.output import EXIT_CODES_HELP, JsonFlag, print_json, reports_errors
from aimodels.cli.session import signed_in_client
from aimodels.client import InvalidInput
from aimodels.domain import ModelDraft, ModelPatch, SystemModel

catalog_app = typer.Typer(
    help="Superadmins: create, update, feature, order and deactivate models; set API keys.\n\n"
    'Example: aimodels --as superadmin@example.test catalog create --name "Tax Helper" '
    "--set required_plan=pro --set token_limit_amount=50000 --set 'tags=[\"tax\"]'\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
)

ModelRef = Annotated[str, typer.Argument(help="Model name (any case) or id.")]
SetFields = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="FIELD=VALUE",
        help="A model field; VALUE is JSON when it parses (numbers, true, lists), else text. "
        "Fields: " + ", ".join(name for name in ModelPatch.model_fields),
    ),
]


@catalog_app.command("create")
@reports_errors
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Unique model name.")],
    fields: SetFields = None,
    json_out: JsonFlag = False,
) -> None:
    """Add a model to the catalog (set its API key afterwards with set-key)."""
    draft = ModelDraft.model_validate({"name": name, **parse_fields(fields or [])})
    _done(signed_in_client(ctx).catalog().create_model(draft), "created", json_out)


@catalog_app.command("update")
@reports_errors
def update(
    ctx: typer.Context, model: ModelRef, fields: SetFields = None, json_out: JsonFlag = False
) -> None:
    """Change fields of a model.

    Example: aimodels --as superadmin@example.test catalog update "Tax Helper" --set sort_order=5
    """
    patch = ModelPatch.model_validate(parse_fields(fields or []))
    _done(signed_in_client(ctx).catalog().update_model(model, patch), "updated", json_out)


@catalog_app.command("deactivate")
@reports_errors
def deactivate(ctx: typer.Context, model: ModelRef, json_out: JsonFlag = False) -> None:
    """Retire a model: admins and users stop seeing it; its usage history stays."""
    _done(signed_in_client(ctx).catalog().deactivate_model(model), "deactivated", json_out)


@catalog_app.command("feature")
@reports_errors
def feature(
    ctx: typer.Context,
    model: ModelRef,
    off: Annotated[bool, typer.Option("--off", help="Stop featuring it.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Feature a model (users see featured models first)."""
    updated = signed_in_client(ctx).catalog().feature_model(model, featured=not off)
    _done(updated, "unfeatured" if off else "featured", json_out)


@catalog_app.command("order")
@reports_errors
def order(
    ctx: typer.Context,
    models: Annotated[list[str], typer.Argument(help="Model names or ids, first to last.")],
    json_out: JsonFlag = False,
) -> None:
    """Put models in this order (sort_order 10, 20, 30...).

    Example: aimodels --as superadmin@example.test catalog order
    "Tax Helper" "General Writing Assistant"
    """
    ordered = signed_in_client(ctx).catalog().order_models(list(models))
    if json_out:
        print_json(ordered)
        return
    for updated in ordered:
        print(f"{updated.name}: sort_order {updated.sort_order}")


@catalog_app.command("set-key")
@reports_errors
def set_key(
    ctx: typer.Context,
    model: ModelRef,
    from_env: Annotated[
        str | None, typer.Option("--from-env", metavar="VAR", help="Read the key from $VAR.")
    ] = None,
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the key from stdin.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Set or rotate a model's provider API key. The key is never printed.

    Example: OPENAI_KEY=... aimodels --as superadmin@example.test catalog set-key "Tax Helper"
    --from-env OPENAI_KEY
    """
    catalog = signed_in_client(ctx).catalog()
    target = catalog.find_model(model)
    catalog.set_api_key(target.id, read_secret(from_env, stdin))
    if json_out:
        print_json(catalog.find_model(target.id))  # has_api_key, never the key
        return
    print(f"{target.name}: API key set")


def read_secret(from_env: str | None, stdin: bool) -> str:
    """The key from an environment variable, stdin, or a hidden prompt (never an argument,
    which would land in shell history and process lists)."""
    if from_env:
        value = os.environ.get(from_env)
        if not value:
            raise InvalidInput(f"--from-env: ${from_env} is not set")
        return value
    if stdin:
        return sys.stdin.readline().strip()
    return str(typer.prompt("API key", hide_input=True, confirmation_prompt=True, err=True))


def parse_fields(pairs: list[str]) -> dict[str, object]:
    """`--set a=1 --set b=text` as {"a": 1, "b": "text"}; pydantic then checks each field."""
    fields: dict[str, object] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"--set {pair}: expected FIELD=VALUE")
        try:
            fields[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            fields[name.strip()] = raw
    return fields


def _done(model: SystemModel, what: str, json_out: bool) -> None:
    if json_out:
        print_json(model)
    else:
        print(f"{model.name}: {what} (id {model.id})")
