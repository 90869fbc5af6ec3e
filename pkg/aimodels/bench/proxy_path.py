"""Benchmark 6, the model access path: what the service adds to a model call.

The same chat completion, streamed and not, is sent straight to the development provider
and through the service (token -> usable model -> reserve -> provider -> settle), at 1, 8
and 32 concurrent clients. The service's cost is the difference: p50 and p99 of the whole
call, and the time to the first content chunk of a stream. Every client is a writer of its
own (a user alone in an organization with the bench model enabled), so the figure is the
path's cost, not one organization's lock. Target: at most 5 ms added at p50, at 8 clients.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack

import httpx
import psycopg

from aimodels.bench.actors import Actor
from aimodels.bench.context import BenchContext
from aimodels.bench.ports import free_port
from aimodels.bench.recording import BULK_MODEL, model_id
from aimodels.bench.report import BenchmarkResult, Check, Figure
from aimodels.bench.stats import Latency, median_of_rounds, summarize
from aimodels.bench.together import run_together
from aimodels.bench.writers import provision_writers
from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.keys import JWT_SECRET, SERVICE_ROLE_KEY
from aimodels.stack.service_process import ServiceProcess

CLIENT_COUNTS = (1, 8, 32)
TARGET_CLIENTS = 8
TARGET_ADDED_P50_MS = 5.0
MAX_TOKENS = 16

# (latency of the whole call, time to the first content chunk or None) in ms
Sample = tuple[float, float | None]
Call = Callable[[], Sample]


def _call(http: httpx.Client, url: str, token: str, model: str, stream: bool) -> Call:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": "how much does the service add"}],
        "max_tokens": MAX_TOKENS,
        "stream": stream,
    }
    headers = {"authorization": f"Bearer {token}"}

    def once() -> Sample:
        began = time.perf_counter_ns()
        if not stream:
            http.post(url, json=body, headers=headers).raise_for_status()
            return (time.perf_counter_ns() - began) / 1e6, None
        first: float | None = None
        with http.stream("POST", url, json=body, headers=headers) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if first is None and '"content":"' in line and '"content":""' not in line:
                    first = (time.perf_counter_ns() - began) / 1e6
        return (time.perf_counter_ns() - began) / 1e6, first

    return once


def _run(calls: list[Call], per_client: int) -> list[Sample]:
    samples: list[list[Sample]] = [[] for _ in calls]

    def client(index: int) -> Callable[[], None]:
        def repeat() -> None:
            for _ in range(per_client):
                samples[index].append(calls[index]())

        return repeat

    run_together([client(i) for i in range(len(calls))])
    return [sample for per in samples for sample in per]


def _measure(calls: list[Call], per_client: int, rounds: int) -> tuple[Latency, Latency | None]:
    _run(calls, 2)  # warm: connections, caches
    totals, firsts = [], []
    for _ in range(rounds):
        samples = _run(calls, per_client)
        totals.append(summarize([total for total, _ in samples]))
        ttft = [first for _, first in samples if first is not None]
        if ttft:
            firsts.append(summarize(ttft))
    return median_of_rounds(totals), median_of_rounds(firsts) if firsts else None


def _figures(case: str, proxied: Latency, direct: Latency, clients: int) -> list[Figure]:
    label = "the same call straight to the development provider"
    figures = [
        Figure(case=case, metric="p50_ms", value=proxied.p50_ms, limit=direct.p50_ms,
               limit_label=label),
        Figure(case=case, metric="p99_ms", value=proxied.p99_ms, limit=direct.p99_ms,
               limit_label=label),
    ]  # fmt: skip
    if clients == TARGET_CLIENTS and "first" not in case:
        # The target is additive: the service's p50 within 5 ms of the direct call's.
        figures.append(
            Figure(
                case=f"{case}, target",
                metric="p50_ms",
                value=proxied.p50_ms,
                limit=direct.p50_ms + TARGET_ADDED_P50_MS,
                limit_label=f"the direct call + {TARGET_ADDED_P50_MS:g} ms",
                target=1.0,
            )
        )
    return figures


def run_proxy_path(ctx: BenchContext) -> BenchmarkResult:
    result = BenchmarkResult(
        name="proxy_path",
        title="6. Model access: the service vs the provider called directly",
        scale=ctx.scale,
    )
    db = ctx.database
    run_dir = ctx.stack.settings.devstack_dir / f"bench-proxy-{ctx.scale}"
    run_dir.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(db.owner_url) as conn:
        model = model_id(conn, BULK_MODEL)
    writers = [
        w.actor for w in provision_writers(db.owner_url, count=max(CLIENT_COUNTS), model=model)
    ]
    per_client = max(5, ctx.spec.per_round // 4)
    rounds = min(3, ctx.spec.rounds)
    gateway = GatewayProcess(run_dir, free_port())
    provider = ServiceProcess(run_dir, "dev-provider", ("provider", "serve"), free_port())
    proxy = ServiceProcess(run_dir, "proxy", ("proxy", "serve"), free_port())
    with ExitStack() as running:
        gateway.start(rest_db_url=db.authenticator_url, auth_db_url=db.auth_admin_url)
        running.callback(gateway.stop)
        provider.start()
        running.callback(provider.stop)
        with psycopg.connect(db.owner_url) as conn:
            conn.execute(
                "update public.ai_models_system set endpoint = %s where id = %s",
                (f"{provider.url}/v1", model),
            )
        proxy.start(
            extra_args=("--env-file", ""),
            env={
                "AIMODELS_PROXY_DB_URL": db.authenticator_url,
                "SUPABASE_JWT_SECRET": JWT_SECRET,
                "SUPABASE_URL": gateway.url,
                "SUPABASE_SERVICE_ROLE_KEY": SERVICE_ROLE_KEY,
            },
        )
        running.callback(proxy.stop)
        http = running.enter_context(
            httpx.Client(timeout=60, limits=httpx.Limits(max_connections=64))
        )
        since = _now(db.owner_url)
        for clients in CLIENT_COUNTS:
            actors: list[Actor] = writers[:clients]
            for stream in (False, True):
                kind = "streamed" if stream else "not streamed"
                direct_calls = [
                    _call(http, f"{provider.url}/v1/chat/completions", "dev", str(model), stream)
                    for _ in actors
                ]
                proxied_calls = [
                    _call(http, f"{proxy.url}/v1/chat/completions", a.access_token(), str(model),
                          stream)
                    for a in actors
                ]  # fmt: skip
                direct, direct_first = _measure(direct_calls, per_client, rounds)
                proxied, proxied_first = _measure(proxied_calls, per_client, rounds)
                result.figures += _figures(f"{kind}, {clients} clients", proxied, direct, clients)
                if direct_first is not None and proxied_first is not None:
                    result.figures += _figures(
                        f"{kind}, first token, {clients} clients",
                        proxied_first,
                        direct_first,
                        clients,
                    )
        result.checks.append(_every_hold_settled(db.owner_url, since))
    result.notes.append(
        f"{per_client} calls per client per round, median of {rounds} rounds; clients,"
        " service, gateway, provider and Postgres share the same cores."
    )
    return result


def _now(url: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute("select clock_timestamp()").fetchone()
    return row[0] if row else None


def _every_hold_settled(url: str, since: object) -> Check:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select status, count(*) from public.usage_reservations where created_at >= %s"
            " group by status",
            (since,),
        ).fetchall()
    counts = {str(status): int(n) for status, n in rows}
    return Check(
        name="every hold of the run was settled",
        passed=bool(counts) and set(counts) == {"settled"},
        detail=", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
    )
