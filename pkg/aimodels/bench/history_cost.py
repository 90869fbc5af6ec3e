"""Benchmark 2, recording cost vs history: record_usage p50/p99 for the long-history user.

Measured at the baseline scale and every scale up to the one asked for, in the same run;
the limit of each figure is the baseline's figure. The cost must not grow with history.
"""

from __future__ import annotations

import psycopg

from aimodels.bench.context import BenchContext
from aimodels.bench.recording import BULK_MODEL, model_id, record_usage
from aimodels.bench.report import BenchmarkResult, Figure
from aimodels.bench.stats import Latency, measure_interleaved

TARGET_P99_RATIO = 1.2


def _history(conn: psycopg.Connection, ctx: BenchContext) -> tuple[int, int]:
    """The user's rows in all, and on the bulk model this month (what the limit check sums)."""
    user = ctx.seed_info.actor("user").user_id
    row = conn.execute(
        """
select count(*),
       count(*) filter (where u.model_id = (select id from public.ai_models_system
                                            where name = %s)
                          and u.created_at >= date_trunc('month', now()))
from public.ai_model_usage u where u.user_id = %s""",
        (BULK_MODEL, user),
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def measure_recording(ctx: BenchContext) -> tuple[Latency, str]:
    actor = ctx.seed_info.actor("user")
    with (
        psycopg.connect(ctx.database.owner_url, autocommit=True) as owner,
        psycopg.connect(ctx.database.authenticator_url, autocommit=True) as api,
    ):
        model = model_id(owner, BULK_MODEL)
        total, this_period = _history(owner, ctx)

        def record() -> None:
            if not record_usage(api, actor, model, 1):
                raise RuntimeError("the long-history user was refused: limits are misconfigured")

        latency = measure_interleaved(
            {"record": record},
            rounds=ctx.spec.rounds,
            per_round=ctx.spec.per_round,
            warmup=ctx.warmup,
        )["record"]
    return latency, f"{ctx.scale}: user history {total:,} rows, {this_period:,} in this period"


def run_history_cost(contexts: list[BenchContext]) -> BenchmarkResult:
    """`contexts` start with the baseline scale."""
    target_scale = contexts[-1].scale
    result = BenchmarkResult(
        name="recording_vs_history",
        title="2. record_usage cost vs history (long-history user)",
        scale=target_scale,
    )
    measured = []
    for ctx in contexts:
        latency, note = measure_recording(ctx)
        measured.append((ctx, latency))
        result.notes.append(note)
    baseline_ctx, baseline = measured[0]
    for ctx, latency in measured:
        for metric in ("p50_ms", "p99_ms"):
            result.figures.append(
                Figure(
                    case=f"record_usage at {ctx.scale}",
                    metric=metric,
                    value=getattr(latency, metric),
                    limit=getattr(baseline, metric),
                    limit_label=f"same at {baseline_ctx.scale}",
                    target=TARGET_P99_RATIO
                    if metric == "p99_ms" and ctx is not baseline_ctx
                    else None,
                )
            )
    result.notes.append(
        "Timed: one API transaction (begin, role and claims, record_usage, commit) per call."
    )
    return result
