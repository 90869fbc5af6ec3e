"""Benchmark 6, the model access path: what the service adds to a model call.

The same chat completion, streamed and not, is sent straight to the development provider
and through the service (token -> usable model -> reserve -> provider -> settle), at 1, 8
and 32 concurrent clients. The service's cost is the difference: p50 and p99 of the whole
call, and the time to the first content chunk of a stream. Every client is a writer of its
own (a user alone in an organization with the bench model enabled), so the figure is the
path's cost, not one organization's lock. Target: at most 5 ms added at p50, at 8 clients.

Both sides are measured alike: the same HTTP client (one per simulated client), the same provider
process, and the same work asked of it (the direct call sends exactly the body the service
sends the provider: the model's system message first, the usage chunk asked for; the
client asks for that chunk too, so both receive the same stream). Each round times the
direct calls and then the service's, so a drift of the shared machine falls on both.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any
from uuid import UUID

import httpx
import psycopg

from aimodels.bench.actors import Actor
from aimodels.bench.context import BenchContext
from aimodels.bench.cpu import cpu_seconds
from aimodels.bench.ports import free_port
from aimodels.bench.recording import BULK_MODEL, model_id
from aimodels.bench.report import BenchmarkResult, Check, Figure
from aimodels.bench.stats import Latency, median_of_rounds, summarize
from aimodels.bench.together import run_together
from aimodels.bench.writers import bench_writers
from aimodels.domain import UsableModel
from aimodels.proxy.chat_flow import outgoing_body, prepare
from aimodels.proxy.wire import ChatRequest
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


def bodies(model: UsableModel, stream: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a client sends the service, and what the service sends the provider for it: the
    direct call sends the latter, so the provider answers both sides alike."""
    sent: dict[str, Any] = {
        "model": str(model.id),
        "messages": [{"role": "user", "content": "how much does the service add"}],
        "max_tokens": MAX_TOKENS,
        "stream": stream,
    }
    if stream:
        # The service always asks the provider for the usage chunk; asking for it here too
        # means the service forwards it, and both clients read the same stream.
        sent["stream_options"] = {"include_usage": True}
    return sent, outgoing_body(prepare(model, ChatRequest.model_validate(sent)))


def _call(http: httpx.Client, url: str, token: str, body: dict[str, Any]) -> Call:
    stream = bool(body.get("stream"))
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


# The processes that answer a side's calls, by what they are: read at each round's start and
# end (a database session may open mid-round).
Processes = Callable[[], dict[str, list[int]]]


class _Side:
    """One side's rounds: the whole call, the first token of a stream, and the CPU each
    process answering it (the provider; the service and its database sessions) used per call."""

    def __init__(self, calls: list[Call], processes: Processes) -> None:
        self.calls = calls
        self.processes = processes
        self.totals: list[Latency] = []
        self.firsts: list[Latency] = []
        self.cpu_s: dict[str, float] = {}
        self.timed_calls = 0

    def cpu_ms_per_call(self, what: str | None = None) -> float:
        """One process kind's CPU per call, or all of them together."""
        seconds = sum(s for kind, s in self.cpu_s.items() if what in (None, kind))
        return seconds * 1000 / max(self.timed_calls, 1)

    def round(self, per_client: int) -> None:
        before = {pid: cpu_seconds(pid) for pids in self.processes().values() for pid in pids}
        samples = _run(self.calls, per_client)
        for kind, pids in self.processes().items():
            used = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in pids)
            self.cpu_s[kind] = self.cpu_s.get(kind, 0.0) + used
        self.timed_calls += len(samples)
        self.totals.append(summarize([total for total, _ in samples]))
        ttft = [first for _, first in samples if first is not None]
        if ttft:
            self.firsts.append(summarize(ttft))

    def total(self) -> Latency:
        return median_of_rounds(self.totals)

    def first(self) -> Latency | None:
        return median_of_rounds(self.firsts) if self.firsts else None


def _measure(sides: tuple[_Side, _Side], per_client: int, rounds: int) -> None:
    """Round by round, each side in turn, after a warm-up of both (connections, caches)."""
    for side in sides:
        _run(side.calls, 2)
    for _ in range(rounds):
        for side in sides:
            side.round(per_client)


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
    per_client = max(5, ctx.spec.per_round // 4)
    rounds = min(3, ctx.spec.rounds)
    gateway = GatewayProcess(run_dir, free_port())
    provider = ServiceProcess(run_dir, "dev-provider", ("provider", "serve"), free_port())
    proxy = ServiceProcess(run_dir, "proxy", ("proxy", "serve"), free_port())
    with ExitStack() as running:
        # First in, last out: the servers, and their sessions, are gone by the writers' removal.
        pool = running.enter_context(bench_writers(db.owner_url))
        writers = [w.actor for w in pool.provision(count=max(CLIENT_COUNTS), model=model)]
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
        # One HTTP client per simulated client, as each application has its own (one client
        # shared by up to 32 threads ended a run with EBADF once: a socket closed under a
        # call). Idle connections are dropped after 1 s, well before the servers' 5 s: a
        # round of one side leaves the other's idle for seconds, and a call sent on a
        # connection the server is closing fails ("Server disconnected").
        https = [
            running.enter_context(
                httpx.Client(timeout=60, limits=httpx.Limits(keepalive_expiry=1.0))
            )
            for _ in range(max(CLIENT_COUNTS))
        ]
        card = _model_card(db.owner_url, model)
        cpu_notes: list[str] = []
        since = _now(db.owner_url)
        for clients in CLIENT_COUNTS:
            actors: list[Actor] = writers[:clients]
            for stream in (False, True):
                kind = "streamed" if stream else "not streamed"
                sent, forwarded = bodies(card, stream)
                direct_side = _Side(
                    [_call(https[i], f"{provider.url}/v1/chat/completions", "dev", forwarded)
                     for i, _ in enumerate(actors)],
                    lambda: {"provider": _pids(provider.pid())},
                )  # fmt: skip
                proxied_side = _Side(
                    [_call(https[i], f"{proxy.url}/v1/chat/completions", a.access_token(), sent)
                     for i, a in enumerate(actors)],
                    lambda: {
                        "service": _pids(proxy.pid()),
                        "database": _service_sessions(db.owner_url),
                        "provider": _pids(provider.pid()),
                    },
                )  # fmt: skip
                _measure((direct_side, proxied_side), per_client, rounds)
                cpu_notes.append(_cpu_note(f"{kind}, {clients} clients", proxied_side, direct_side))
                direct, direct_first = direct_side.total(), direct_side.first()
                proxied, proxied_first = proxied_side.total(), proxied_side.first()
                result.figures += _figures(f"{kind}, {clients} clients", proxied, direct, clients)
                if direct_first is not None and proxied_first is not None:
                    result.figures += _figures(
                        f"{kind}, first token, {clients} clients",
                        proxied_first,
                        direct_first,
                        clients,
                    )
        result.checks.append(_every_hold_settled(db.owner_url, since))
    # CPU, unlike latency, barely depends on what else the shared machine runs (clock
    # ticks of 10 ms: read it at `small` and up).
    result.notes.append(
        "CPU ms per call through the service (its process + its database sessions + the"
        " provider) vs the direct call (the provider), the CPU the service adds, and what that"
        f" alone adds to the p50 of {TARGET_CLIENTS} closed-loop clients once the machine's"
        f" {_CORES} cores are busy ({TARGET_CLIENTS} x added CPU / {_CORES}): "
        + "; ".join(cpu_notes)
    )
    result.notes.append(
        f"{per_client} calls per client per round, median of {rounds} rounds, each round the"
        " direct calls then the service's; the direct call sends the provider the body the"
        " service sends it. Clients, service, gateway, provider and Postgres share the same"
        " cores."
    )
    return result


_CORES = os.cpu_count() or 1


def _pids(pid: int | None) -> list[int]:
    return [] if pid is None else [pid]


def _service_sessions(owner_url: str) -> list[int]:
    """The server processes of the service's database connections."""
    with psycopg.connect(owner_url) as conn:
        rows = conn.execute(
            "select pid from pg_stat_activity"
            " where application_name = 'aimodels-proxy' and datname = current_database()"
        ).fetchall()
    return [int(pid) for (pid,) in rows]


def _cpu_note(case: str, proxied: _Side, direct: _Side) -> str:
    added = proxied.cpu_ms_per_call() - direct.cpu_ms_per_call()
    return (
        f"{case}: {proxied.cpu_ms_per_call('service'):.2f}"
        f" + {proxied.cpu_ms_per_call('database'):.2f}"
        f" + {proxied.cpu_ms_per_call('provider'):.2f} vs {direct.cpu_ms_per_call():.2f},"
        f" added {added:.2f} ms (queueing at {TARGET_CLIENTS} clients:"
        f" {TARGET_CLIENTS * added / _CORES:.1f} ms)"
    )


def _model_card(url: str, model: UUID) -> UsableModel:
    """The bench model as the service sees it (its system message, its cap)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select to_jsonb(m) from public.ai_models_system m where id = %s", (model,)
        ).fetchone()
    if row is None:
        raise LookupError(f"model {model} is not in the bench database")
    return UsableModel.model_validate(row[0])


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
