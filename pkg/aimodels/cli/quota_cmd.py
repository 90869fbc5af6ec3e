"""`aimodels quota`: how much of each model you have left this period."""

from __future__ import annotations

from typing import Annotated

import typer

from aimodels.cli.output import JsonFlag, print_json, print_table, reports_errors
from aimodels.cli.session import signed_in_client
from aimodels.domain import QuotaStatus


@reports_errors
def quota_command(
    ctx: typer.Context,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="One model (name or id); default all.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Your limit, use and what is left per usable model, with period and trial ends.

    Example: aimodels --as user1@acme-law.example.test quota --model "Legal Assistant"

    Exit codes: 0 ok; 1 error; 2 bad usage or input; 3 sign-in failed; 4 permission denied;
    5 limit, quota or trial refused; 6 not found.
    """
    user = signed_in_client(ctx).user()
    models = [user.find_model(model)] if model else user.usable_models()
    statuses = [(m.name, user.quota_status(m.id)) for m in models]
    if json_out:
        print_json([status for _, status in statuses])
        return
    print_table(
        "Your quota",
        ("model", "limit", "used", "remaining", "period", "period ends", "trial ends", "org left"),
        [_row(name, status) for name, status in statuses],
    )


def _row(name: str, status: QuotaStatus) -> tuple[object, ...]:
    return (
        name,
        "unlimited" if status.token_limit is None else status.token_limit,
        status.tokens_used,
        "unlimited" if status.tokens_remaining is None else status.tokens_remaining,
        status.limit_period,
        f"{status.period_end:%Y-%m-%d %H:%M} UTC",
        status.trial_ends_at,
        "unlimited" if status.org_remaining is None else status.org_remaining,
    )
