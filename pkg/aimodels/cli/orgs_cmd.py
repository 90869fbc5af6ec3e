"""`aimodels orgs`: superadmins govern organizations' plan, type and quota."""

from __future__ import annotations

from typing import Annotated

import typer

from aimodels.cli.output import EXIT_CODES_HELP, JsonFlag, print_json, print_table, reports_errors
from aimodels.cli.session import signed_in_client
from aimodels.client import InvalidInput
from aimodels.domain import Organization, OrgType, PricingPlan

orgs_app = typer.Typer(
    help="Superadmins: list organizations, change their plan, type or monthly quota.\n\n"
    "Example: aimodels --as superadmin@example.test orgs plan acme-law pro\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
)

OrgRef = Annotated[str, typer.Argument(help="Organization slug, name or id.")]


@orgs_app.command("list")
@reports_errors
def list_orgs(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """List every organization with plan, type and quota use."""
    orgs = signed_in_client(ctx).organizations().list_organizations()
    if json_out:
        print_json(orgs)
        return
    print_table(
        "Organizations",
        ("slug", "name", "type", "plan", "quota", "used", "resets"),
        [
            (
                o.slug,
                o.name,
                o.type,
                o.pricing_plan,
                _quota(o.token_quota_monthly),
                o.token_usage_current,
                o.token_reset_date,
            )
            for o in orgs
        ],
    )


@orgs_app.command("plan")
@reports_errors
def plan(
    ctx: typer.Context, org: OrgRef, new_plan: PricingPlan, json_out: JsonFlag = False
) -> None:
    """Change an organization's pricing plan (what models it may see follows)."""
    _done(signed_in_client(ctx).organizations().set_plan(org, new_plan), "plan", json_out)


@orgs_app.command("type")
@reports_errors
def org_type(
    ctx: typer.Context, org: OrgRef, new_type: OrgType, json_out: JsonFlag = False
) -> None:
    """Change an organization's business type."""
    _done(signed_in_client(ctx).organizations().set_org_type(org, new_type), "type", json_out)


# A negative amount (`quota acme-law -5`) must reach the quota rule, not the option parser.
@orgs_app.command("quota", context_settings={"ignore_unknown_options": True})
@reports_errors
def quota(
    ctx: typer.Context,
    org: OrgRef,
    tokens: Annotated[int | None, typer.Argument(help="Monthly tokens (non-free).")] = None,
    unlimited: Annotated[bool, typer.Option("--unlimited", help="Remove the cap.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Set an organization's monthly token quota, or remove it.

    Example: aimodels --as superadmin@example.test orgs quota acme-law 1000000
    """
    if (tokens is None) == (not unlimited):
        raise InvalidInput("give exactly one of TOKENS or --unlimited")
    organizations = signed_in_client(ctx).organizations()
    updated = organizations.set_quota(org, None if unlimited else tokens)
    _done(updated, "quota", json_out)


def _done(org: Organization, what: str, json_out: bool) -> None:
    if json_out:
        print_json(org)
        return
    value = {
        "plan": org.pricing_plan,
        "type": org.type,
        "quota": _quota(org.token_quota_monthly),
    }[what]
    print(f"{org.slug}: {what} is now {value}")


def _quota(tokens: int | None) -> object:
    """None is no cap; 0 is a cap of nothing (shown as 0, never as unlimited)."""
    return "unlimited" if tokens is None else tokens
