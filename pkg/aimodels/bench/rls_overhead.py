"""Benchmark 1, RLS overhead: each hot read as the API runs it vs the owner's hand predicate.

The RLS side logs in as `authenticator` and takes the actor's role and claims in each
transaction, as PostgREST does; only the query itself is timed, so the figure is the cost of
the policies and nothing else. Each plan is printed (for an RPC, with the plans of the queries
it runs inside, from auto_explain); the check fails if any plan, of either side, reads
ai_model_usage with a sequential scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

import psycopg

from aimodels.bench.actors import Actor, enter_as
from aimodels.bench.context import BenchContext
from aimodels.bench.hot_reads import HOT_READS, HotRead, hot_read_params
from aimodels.bench.placement import client_and_backends_apart
from aimodels.bench.plans import (
    USAGE_TABLE,
    Params,
    explain_text,
    nested_plans,
    seq_scanned_in,
    seq_scanned_tables,
)
from aimodels.bench.report import BenchmarkResult, Check, Figure, QueryPlan
from aimodels.bench.stats import measure_interleaved

TARGET_RATIO = 1.25


class _Sides:
    """The two connections a hot read runs on, and one timed execution on each."""

    def __init__(
        self, rls: psycopg.Connection, owner: psycopg.Connection, inner: psycopg.Connection
    ) -> None:
        self.rls = rls
        self.owner = owner
        self.inner = inner  # the superuser's, untimed: plans of what functions run inside

    def as_actor(self, actor: Actor, sql: str, params: Params) -> list[tuple[object, ...]]:
        with self.rls.transaction():
            enter_as(self.rls, actor)
            return self.rls.execute(sql, params).fetchall()

    def as_owner(self, sql: str, params: Params) -> list[tuple[object, ...]]:
        with self.owner.transaction():
            return self.owner.execute(sql, params).fetchall()

    @contextmanager
    def timed(
        self, actor: Actor, read: HotRead, params: Params
    ) -> Iterator[dict[str, Callable[[], object]]]:
        """What is timed: the read's statement alone on each side. Each side holds one open
        transaction meanwhile, the RLS side already as the actor (role and claims set once),
        so neither BEGIN/COMMIT nor PostgREST's set_config round trip is counted."""
        with self.rls.transaction(), self.owner.transaction():
            enter_as(self.rls, actor)
            yield {
                "rls": partial(_fetch_all, self.rls, read.rls_sql, params),
                "owner": partial(_fetch_all, self.owner, read.owner_sql, params),
            }


def _fetch_all(conn: psycopg.Connection, sql: str, params: Params) -> list[tuple[object, ...]]:
    return conn.execute(sql, params).fetchall()


def _plans(sides: _Sides, read: HotRead, actor: Actor, params: Params) -> list[QueryPlan]:
    with sides.rls.transaction():
        enter_as(sides.rls, actor)
        rls_scans = seq_scanned_tables(sides.rls, read.rls_sql, params)
        rls_plan = explain_text(sides.rls, read.rls_sql, params)
    with sides.owner.transaction():
        owner_scans = seq_scanned_tables(sides.owner, read.owner_sql, params)
        owner_plan = explain_text(sides.owner, read.owner_sql, params)
    # An RPC's own queries are one Function Scan to EXPLAIN: their plans come from inside.
    inner = nested_plans(sides.inner, lambda conn: enter_as(conn, actor), read.rls_sql, params)
    if inner:
        rls_plan += "\n\nRun inside functions (auto_explain):\n" + "\n\n".join(inner)
    return [
        QueryPlan(
            query=read.name,
            actor=f"{actor.label} (RLS)",
            sql=read.rls_sql.strip(),
            plan=rls_plan,
            seq_scanned=sorted({*rls_scans, *seq_scanned_in(inner)}),
        ),
        QueryPlan(
            query=read.name,
            actor="owner (hand predicate)",
            sql=read.owner_sql.strip(),
            plan=owner_plan,
            seq_scanned=owner_scans,
        ),
    ]


def _time_every_read(ctx: BenchContext, sides: _Sides, result: BenchmarkResult) -> None:
    for read in HOT_READS:
        actor = ctx.seed_info.actor(read.actor)
        params = hot_read_params(ctx.seed_info, read.actor)
        same = sides.as_actor(actor, read.rls_sql, params) == sides.as_owner(read.owner_sql, params)
        result.checks.append(Check(name=f"same result as the owner: {read.name}", passed=same))
        with sides.timed(actor, read, params) as actions:
            timings = measure_interleaved(
                actions,
                rounds=ctx.spec.rounds,
                per_round=ctx.spec.per_round,
                warmup=ctx.warmup,
            )
        for metric in ("p50_ms", "p99_ms"):
            result.figures.append(
                Figure(
                    case=read.name,
                    metric=metric,
                    value=getattr(timings["rls"], metric),
                    limit=getattr(timings["owner"], metric),
                    limit_label="owner, hand predicate",
                    target=TARGET_RATIO,
                )
            )
        result.plans += _plans(sides, read, actor, params)


def run_rls_overhead(ctx: BenchContext) -> BenchmarkResult:
    result = BenchmarkResult(
        name="rls_overhead", title="1. RLS overhead of the hot reads", scale=ctx.scale
    )
    with (
        psycopg.connect(ctx.database.authenticator_url, autocommit=True) as rls,
        psycopg.connect(ctx.database.owner_url, autocommit=True) as owner,
        psycopg.connect(ctx.database.owner_url, autocommit=True) as inner,
    ):
        sides = _Sides(rls, owner, inner)
        timed_backends = [rls.info.backend_pid, owner.info.backend_pid]
        with client_and_backends_apart(timed_backends) as placement:
            _time_every_read(ctx, sides, result)
    scanned = [f"{p.query} [{p.actor}]" for p in result.plans if USAGE_TABLE in p.seq_scanned]
    result.checks.append(
        Check(
            name=f"no plan scans {USAGE_TABLE} sequentially",
            passed=not scanned,
            detail="; ".join(scanned),
        )
    )
    result.notes.append(
        "Timed: the query alone, inside a transaction that already holds the role and claims"
        f" (PostgREST's set_config); the two sides taking turns call by call; medians over"
        f" rounds of p50/p99, warm cache; {placement}."
    )
    return result
