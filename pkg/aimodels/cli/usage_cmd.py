"""`aimodels usage`: record what you used, and read usage reports."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer

from aimodels.cli.output import EXIT_CODES_HELP, JsonFlag, print_json, print_table, reports_errors
from aimodels.cli.session import signed_in_client
from aimodels.client.refs import as_uuid
from aimodels.client.reports import usage_report
from aimodels.domain import LimitPeriod, UsageGrouping, period_window

usage_app = typer.Typer(
    help="Record usage of a model and report usage.\n\n"
    "Example: aimodels --as user1@acme-law.example.test usage record "
    '--model "Legal Assistant" --tokens 120\n\n' + EXIT_CODES_HELP,
    no_args_is_help=True,
)


class ReportPeriod(StrEnum):
    """The current window to report on, or all history."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    ALL = "all"


@usage_app.command("record")
@reports_errors
def record(
    ctx: typer.Context,
    model: Annotated[str, typer.Option("--model", "-m", help="Model name or id.")],
    tokens: Annotated[int, typer.Option("--tokens", "-t", help="Tokens used (> 0).")],
    requests: Annotated[int, typer.Option("--requests", "-r", help="Requests made.")] = 1,
    json_out: JsonFlag = False,
) -> None:
    """Record one use; the database refuses it whole if any limit or rule says no.

    Example: aimodels --as user1@acme-law.example.test usage record -m "Legal Assistant" -t 500
    """
    user = signed_in_client(ctx).user()
    # An id goes straight to the database, which says why a model is unusable.
    model_id = as_uuid(model) or user.find_model(model).id
    result = user.record_usage(model_id, tokens, requests)
    if json_out:
        print_json(result)
        return
    left = result.user_tokens_remaining
    print(
        f"recorded {result.tokens_used} tokens, {result.requests_count} request(s) on "
        f"{result.model_name}; {'unlimited' if left is None else left} tokens left this "
        f"{result.period_type} period (ends {result.period_end:%Y-%m-%d %H:%M} UTC)"
    )


@usage_app.command("report")
@reports_errors
def report(
    ctx: typer.Context,
    by: Annotated[UsageGrouping, typer.Option("--by", help="Group rows by.")] = (
        UsageGrouping.MODEL
    ),
    period: Annotated[
        ReportPeriod, typer.Option("--period", help="Current window, or all history.")
    ] = ReportPeriod.MONTHLY,
    json_out: JsonFlag = False,
) -> None:
    """Usage totals of what you may read, computed by the database: your own for a user,
    your organization's for an admin, every organization's for a superadmin.

    Example: aimodels --as admin@acme-law.example.test usage report --by user --period weekly

    Example: aimodels --as superadmin@example.test usage report --by org --period all
    """
    client = signed_in_client(ctx)
    since = (
        None
        if period is ReportPeriod.ALL
        else period_window(LimitPeriod(period.value), datetime.now(UTC)).start
    )
    # One rule, the database's: row level security decides what the report covers.
    totals = usage_report(client.api, by, since)
    if json_out:
        print_json(totals)
        return
    print_table(
        f"Usage by {by} ({period})",
        (str(by), "tokens", "requests", "records"),
        [(t.key, t.tokens, t.requests, t.records) for t in totals],
    )
