"""Benchmark 5, usage reports: usage_report() against paging the log into Python.

An admin's monthly report of their organization by user, both ways through the gateway as
that admin (RLS applies to both): one `rpc/usage_report` call, or the old client's way,
every raw row of the month paged through `/rest/v1/ai_model_usage` (1000 per page, the API's
max_rows) and summed in Python. The figure is the RPC's latency with the paging as its
limit; a check proves both give the same totals, or the ratio would compare different work.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import requests

from aimodels.bench.actors import Actor
from aimodels.bench.context import BenchContext
from aimodels.bench.hot_reads import history_windows
from aimodels.bench.ports import free_port
from aimodels.bench.report import BenchmarkResult, Check, Figure
from aimodels.bench.stats import measure_interleaved
from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.keys import ANON_KEY

PAGE = 1000
TARGET_P50_RATIO = 0.5
# user_id -> (tokens, requests, rows)
Totals = dict[str, tuple[int, int, int]]


def _session(actor: Actor) -> requests.Session:
    session = requests.Session()
    session.headers.update({"apikey": ANON_KEY, "Authorization": f"Bearer {actor.access_token()}"})
    return session


def report_by_rpc(session: requests.Session, base: str, since: datetime, until: datetime) -> Totals:
    """The new way: the database adds up what the caller may read (one line per user, paged
    only past the API's max_rows, as the client pages it)."""
    totals: Totals = {}
    offset = 0
    while True:
        response = session.post(
            f"{base}/rest/v1/rpc/usage_report",
            params={"limit": str(PAGE), "offset": str(offset)},
            json={"group_by": "user", "since": since.isoformat(), "until": until.isoformat()},
            timeout=60,
        )
        response.raise_for_status()
        page = response.json()
        for line in page:
            totals[line["user_id"]] = (line["tokens"], line["requests"], line["records"])
        offset += len(page)
        if len(page) < PAGE:
            return totals


def report_by_paging(
    session: requests.Session, base: str, org: str, since: datetime, until: datetime
) -> Totals:
    """The old way: every raw row of the month, page by page, summed here."""
    tokens: Counter[str] = Counter()
    requests_made: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    offset = 0
    while True:
        response = session.get(
            f"{base}/rest/v1/ai_model_usage",
            params=[
                ("select", "user_id,tokens_used,requests_count"),
                ("organization_id", f"eq.{org}"),
                ("created_at", f"gte.{since.isoformat()}"),
                ("created_at", f"lt.{until.isoformat()}"),
                ("order", "created_at,id"),
                ("limit", str(PAGE)),
                ("offset", str(offset)),
            ],
            timeout=60,
        )
        response.raise_for_status()
        page = response.json()
        for row in page:
            tokens[row["user_id"]] += row["tokens_used"]
            requests_made[row["user_id"]] += row["requests_count"]
            rows[row["user_id"]] += 1
        offset += len(page)
        if len(page) < PAGE:
            return {user: (tokens[user], requests_made[user], rows[user]) for user in rows}


def run_report_path(ctx: BenchContext) -> BenchmarkResult:
    result = BenchmarkResult(
        name="usage_report",
        title="5. An org's monthly report: usage_report() vs paging the log into Python",
        scale=ctx.scale,
    )
    admin = ctx.seed_info.actor("admin")
    if admin.organization_id is None:
        raise RuntimeError("the benchmark admin belongs to no organization")
    org = str(admin.organization_id)
    # The seeded history's last full month: the same rows in every run.
    windows = history_windows(ctx.seed_info.anchor)
    since, until = windows.month_start, windows.month_end
    gateway = GatewayProcess(
        ctx.stack.settings.devstack_dir / f"bench-gateway-{ctx.scale}", free_port()
    )
    gateway.pid_file.parent.mkdir(parents=True, exist_ok=True)
    gateway.start(
        rest_db_url=ctx.database.authenticator_url, auth_db_url=ctx.database.auth_admin_url
    )
    try:
        base = gateway.url
        with _session(admin) as session:
            by_rpc = report_by_rpc(session, base, since, until)
            by_paging = report_by_paging(session, base, org, since, until)
            timings = measure_interleaved(
                {
                    "rpc": lambda: report_by_rpc(session, base, since, until),
                    "paging": lambda: report_by_paging(session, base, org, since, until),
                },
                rounds=ctx.spec.rounds,
                per_round=ctx.spec.per_round,
                warmup=ctx.warmup,
            )
    finally:
        gateway.stop()
    rows = sum(total[2] for total in by_paging.values())
    result.checks.append(
        Check(
            name="same totals both ways",
            passed=by_rpc == by_paging,
            detail=f"{len(by_paging)} users, {rows:,} rows in the month",
        )
    )
    label = "paging the raw rows through the API, summed in Python"
    # The month's row count is in the check's detail: in the case, it would make each
    # scale and shape a row of its own in `bench matrix`.
    case = "monthly report by user, admin of one org"
    result.figures += [
        Figure(
            case=case,
            metric="p50_ms",
            value=timings["rpc"].p50_ms,
            limit=timings["paging"].p50_ms,
            limit_label=label,
            target=TARGET_P50_RATIO,
        ),
        Figure(
            case=case,
            metric="p99_ms",
            value=timings["rpc"].p99_ms,
            limit=timings["paging"].p99_ms,
            limit_label=label,
        ),
    ]
    result.notes.append(
        f"usage_report p50 {timings['rpc'].p50_ms:.1f} ms, paging p50"
        f" {timings['paging'].p50_ms:.1f} ms; one client, gateway and Postgres on the same"
        " cores, the two taking turns call by call."
    )
    return result
