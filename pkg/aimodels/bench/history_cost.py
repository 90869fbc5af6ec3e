"""Benchmark 2, recording cost vs history: p50/p99 for the long-history user's recording
(record_usage), and for a model call's hold and settlement (reserve_usage, settle_usage).

Measured at the baseline scale and every scale up to the one asked for, in the same run, the
scales taking turns call by call (so a noisy moment hits every scale alike); the limit of each
figure is the baseline's figure. The cost must not grow with history.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack

import psycopg

from aimodels.bench.context import BenchContext
from aimodels.bench.recording import BULK_MODEL, HoldSession, model_id, record_usage
from aimodels.bench.report import BenchmarkResult, Figure
from aimodels.bench.stats import measure_interleaved

TARGET_P99_RATIO = 1.2
RECORD = "record_usage at {}"
HOLD = "hold then settle at {}"
# A p99 of one round of a few hundred calls is nearly its slowest call; its median over
# this many rounds holds still from run to run (three rounds swung 0.95-1.43 at large).
MIN_ROUNDS = 9

Action = Callable[[], None]


def _history_note(conn: psycopg.Connection, ctx: BenchContext) -> str:
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
    total, this_period = (int(row[0]), int(row[1])) if row else (0, 0)
    return f"{ctx.scale}: user history {total:,} rows, {this_period:,} in this period"


_REFUSED = "the long-history user was refused: limits are misconfigured"


def _spenders(ctx: BenchContext, resources: ExitStack) -> tuple[dict[str, Action], str]:
    """The long-history user's recording and hold-then-settle at this scale, and its note."""
    actor = ctx.seed_info.actor("user")
    owner = resources.enter_context(psycopg.connect(ctx.database.owner_url, autocommit=True))
    api = resources.enter_context(psycopg.connect(ctx.database.authenticator_url, autocommit=True))
    service = resources.enter_context(
        psycopg.connect(ctx.database.authenticator_url, autocommit=True)
    )
    model = model_id(owner, BULK_MODEL)
    holds = HoldSession(service, json.dumps(actor.claims()))
    holds.warm_up(model, 1)

    def record() -> None:
        if not record_usage(api, actor, model, 1):
            raise RuntimeError(_REFUSED)

    def hold_then_settle() -> None:
        if not holds.spend(model, 1):
            raise RuntimeError(_REFUSED)

    actions = {RECORD.format(ctx.scale): record, HOLD.format(ctx.scale): hold_then_settle}
    return actions, _history_note(owner, ctx)


def run_history_cost(contexts: list[BenchContext]) -> BenchmarkResult:
    """`contexts` start with the baseline scale."""
    baseline_ctx, target_ctx = contexts[0], contexts[-1]
    result = BenchmarkResult(
        name="recording_vs_history",
        title="2. record_usage cost vs history (long-history user)",
        scale=target_ctx.scale,
    )
    with ExitStack() as resources:
        actions: dict[str, Action] = {}
        for ctx in contexts:
            spenders, note = _spenders(ctx, resources)
            actions.update(spenders)
            result.notes.append(note)
        latencies = measure_interleaved(
            actions,
            rounds=max(MIN_ROUNDS, target_ctx.spec.rounds),
            per_round=target_ctx.spec.per_round,
            warmup=target_ctx.warmup,
        )
    for case in (RECORD, HOLD):
        baseline = latencies[case.format(baseline_ctx.scale)]
        for ctx in contexts:
            latency = latencies[case.format(ctx.scale)]
            for metric in ("p50_ms", "p99_ms"):
                result.figures.append(
                    Figure(
                        case=case.format(ctx.scale),
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
        "Timed: record_usage, one API transaction (begin, role and claims, the call, commit)"
        " per call; hold then settle, a model call's accounting as the model access service"
        " sends it (reserve_usage, then settle_usage, one message each), every scale and both"
        " kinds taking turns call by call. Each run adds its calls to the user's history."
    )
    return result
