"""Benchmark 4, the API path: the gateway vs the same SQL run directly, at 8 clients.

Two requests: an authenticated select (a user's usable models, through RLS) and the
recording RPC. The direct side runs the same statement on its own connection with the same
role and claims (what PostgREST itself would send); the gateway side adds HTTP, JWT
verification, request parsing, SQL building and JSON shaping. Each client is a thread with
its own HTTP session or connection; each records for its own user (in its own organization),
so the figure is the path's cost, not lock contention.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from uuid import UUID

import psycopg
import requests

from aimodels.bench.actors import Actor, enter_as
from aimodels.bench.context import BenchContext
from aimodels.bench.ports import free_port
from aimodels.bench.recording import BULK_MODEL, model_id, record_usage
from aimodels.bench.report import BenchmarkResult, Figure, Goal
from aimodels.bench.stats import Latency, median_of_rounds, summarize
from aimodels.bench.together import run_together
from aimodels.bench.writers import bench_writers
from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.keys import ANON_KEY

CLIENTS = 8
TARGET_P50_RATIO = 1.5
SELECT_PATH = "/rest/v1/ai_models_system?select=id,name"
SELECT_SQL = "select id, name from public.ai_models_system"

Call = Callable[[], None]


@dataclass(frozen=True)
class _Measured:
    latency: Latency
    per_s: float


def _run_clients(calls: list[Call], per_client: int) -> tuple[list[float], float]:
    """Every client runs its call `per_client` times; all latencies (ms) and wall seconds."""
    samples: list[list[float]] = [[] for _ in calls]

    def client(index: int) -> Call:
        def repeat() -> None:
            for _ in range(per_client):
                began = time.perf_counter_ns()
                calls[index]()
                samples[index].append((time.perf_counter_ns() - began) / 1e6)

        return repeat

    elapsed = run_together([client(i) for i in range(len(calls))])
    return [s for client_samples in samples for s in client_samples], elapsed


def _measure(
    make_calls: Callable[[ExitStack], list[Call]], per_client: int, rounds: int
) -> _Measured:
    with ExitStack() as resources:
        calls = make_calls(resources)
        _run_clients(calls, max(2, per_client // 10))  # warm: pools, prepared statements
        latencies, rates = [], []
        for _ in range(rounds):
            samples, seconds = _run_clients(calls, per_client)
            latencies.append(summarize(samples))
            rates.append(len(samples) / seconds)
    return _Measured(median_of_rounds(latencies), statistics.median(rates))


def _http_session(actor: Actor, resources: ExitStack) -> requests.Session:
    session = resources.enter_context(requests.Session())
    session.headers.update(
        {
            "apikey": ANON_KEY,
            "Authorization": f"Bearer {actor.access_token()}",
            "Accept-Profile": "public",
            "Content-Profile": "public",
        }
    )
    return session


def _http_select(base: str, actor: Actor, resources: ExitStack) -> Call:
    session = _http_session(actor, resources)

    def call() -> None:
        session.get(base + SELECT_PATH, timeout=30).raise_for_status()

    return call


def _http_record(base: str, actor: Actor, model: UUID, resources: ExitStack) -> Call:
    session = _http_session(actor, resources)
    body: dict[str, str | int] = {"model_id": str(model), "tokens_used": 1}

    def call() -> None:
        session.post(base + "/rest/v1/rpc/record_usage", json=body, timeout=30).raise_for_status()

    return call


def _sql_select(url: str, actor: Actor, resources: ExitStack) -> Call:
    conn = resources.enter_context(psycopg.connect(url, autocommit=True))

    def call() -> None:
        with conn.transaction():
            enter_as(conn, actor)
            conn.execute(SELECT_SQL).fetchall()

    return call


def _sql_record(url: str, actor: Actor, model: UUID, resources: ExitStack) -> Call:
    conn = resources.enter_context(psycopg.connect(url, autocommit=True))

    def call() -> None:
        if not record_usage(conn, actor, model, 1):
            raise RuntimeError("recording refused: the writer has no limit near")

    return call


def _figures(case: str, gateway: _Measured, direct: _Measured) -> list[Figure]:
    label = "same SQL, direct, same role/claims"
    return [
        Figure(
            case=case,
            metric="p50_ms",
            value=gateway.latency.p50_ms,
            limit=direct.latency.p50_ms,
            limit_label=label,
            target=TARGET_P50_RATIO,
        ),
        Figure(
            case=case,
            metric="p99_ms",
            value=gateway.latency.p99_ms,
            limit=direct.latency.p99_ms,
            limit_label=label,
        ),
        Figure(
            case=case,
            metric="requests_per_s",
            value=gateway.per_s,
            limit=direct.per_s,
            limit_label=label,
            goal=Goal.AT_LEAST,
        ),
    ]


def run_api_path(ctx: BenchContext) -> BenchmarkResult:
    result = BenchmarkResult(
        name="api_path",
        title=f"4. API path: gateway vs direct SQL, {CLIENTS} clients",
        scale=ctx.scale,
    )
    db = ctx.database
    reader = ctx.seed_info.actor("user")
    with psycopg.connect(db.owner_url) as conn:
        model = model_id(conn, BULK_MODEL)
    with bench_writers(db.owner_url) as pool:
        writers = [w.actor for w in pool.provision(count=CLIENTS, model=model)]
        gateway = GatewayProcess(
            ctx.stack.settings.devstack_dir / f"bench-gateway-{ctx.scale}", free_port()
        )
        gateway.pid_file.parent.mkdir(parents=True, exist_ok=True)
        per_client = max(5, ctx.spec.per_round // 2)
        rounds = min(3, ctx.spec.rounds)
        gateway.start(rest_db_url=db.authenticator_url, auth_db_url=db.auth_admin_url)
        try:
            base = gateway.url
            select_gateway = _measure(
                lambda r: [_http_select(base, reader, r) for _ in range(CLIENTS)],
                per_client,
                rounds,
            )
            select_direct = _measure(
                lambda r: [_sql_select(db.authenticator_url, reader, r) for _ in range(CLIENTS)],
                per_client,
                rounds,
            )
            record_gateway = _measure(
                lambda r: [_http_record(base, w, model, r) for w in writers], per_client, rounds
            )
            record_direct = _measure(
                lambda r: [_sql_record(db.authenticator_url, w, model, r) for w in writers],
                per_client,
                rounds,
            )
        finally:
            gateway.stop()
    result.figures += _figures("GET ai_models_system (user, RLS)", select_gateway, select_direct)
    result.figures += _figures("POST rpc/record_usage", record_gateway, record_direct)
    result.notes.append(
        f"{per_client} requests per client per round, median of {rounds} rounds; client"
        " threads, gateway and Postgres share the same cores."
    )
    return result
