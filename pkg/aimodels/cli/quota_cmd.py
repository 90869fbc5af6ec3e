"""`aimodels quota`: how much of each model you have left this period."""

from __future__ import annotations

from typing import Annotated

import typer

from aimodels.cli.output import JsonFlag, print_json, print_table, show_time
from aimodels.cli.session import signed_in_client
from aimodels.domain import QuotaStatus


def quota_command(
    ctx: typer.Context,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="One model (name or id); default all.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Your limit, use and what is left per usable model, with period and trial ends.

    Example: aimodels --as user1@bright-visas.example.test quota
    --model "Immigration Case Assistant"
    """
    user = signed_in_client(ctx).user()
    models = [user.find_model(model)] if model else user.usable_models()
    statuses = [(m.name, user.quota_status(m.id)) for m in models]
    if json_out:
        print_json([status for _, status in statuses])
    elif model:
        name, status = statuses[0]
        print(sentence(name, status))
    else:
        print_table(
            "Your quota",
            (
                "model",
                "limit",
                "used",
                "remaining",
                "period",
                "period ends",
                "trial ends",
                "org left",
            ),
            [_row(name, status) for name, status in statuses],
        )


def _amount(tokens: int | None) -> str:
    return "unlimited" if tokens is None else str(tokens)


def sentence(name: str, status: QuotaStatus) -> str:
    """One model's quota for people: `<model>: used 5000 of 20000 tokens this weekly
    period, 15000 left (ends ... UTC)`."""
    text = (
        f"{name}: used {status.tokens_used} of {_amount(status.token_limit)} tokens this "
        f"{status.limit_period} period, {_amount(status.tokens_remaining)} left "
        f"(ends {show_time(status.period_end)})"
    )
    if status.trial_ends_at is not None:
        text += f"; trial ends {show_time(status.trial_ends_at)}"
    return text


def _row(name: str, status: QuotaStatus) -> tuple[object, ...]:
    return (
        name,
        _amount(status.token_limit),
        status.tokens_used,
        _amount(status.tokens_remaining),
        status.limit_period,
        status.period_end,
        status.trial_ends_at,
        _amount(status.org_remaining),
    )
