"""Benchmark 6, soak: minutes of mixed traffic, attackers included, against one gateway.

Legitimate clients read (a user's models through RLS) and record (`record_usage`) in a
loop while attackers send what the gateway must refuse cheaply and without growing:
forged and garbage tokens, huge headers, deeply nested JSON, wrong passwords, and slow
clients that trickle a sign-in body byte by byte. Each interval reports the gateway's RSS,
the legitimate p50/p99 and every error; a steady run shows flat rows. Bounded in time, on
loopback only, against a gateway of its own on the scale's database.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import jwt
import psycopg
import requests

from aimodels.bench.actors import Actor
from aimodels.bench.context import BenchContext
from aimodels.bench.ports import free_port
from aimodels.bench.recording import BULK_MODEL, model_id
from aimodels.bench.report import BenchmarkResult, Check, Figure
from aimodels.bench.scales import Scale
from aimodels.bench.stats import percentile
from aimodels.bench.writers import bench_writers
from aimodels.stack.gateway_process import GatewayProcess
from aimodels.stack.keys import ANON_KEY

# Seconds of traffic and how many intervals to report, per scale (tiny is the smoke test).
DURATION_S = {Scale.TINY: 8.0, Scale.SMALL: 120.0, Scale.MEDIUM: 300.0, Scale.LARGE: 600.0}
INTERVALS = {Scale.TINY: 2, Scale.SMALL: 6, Scale.MEDIUM: 10, Scale.LARGE: 12}
READERS = 2
RECORDERS = 2
SLOW_CLIENTS = 4  # as many as the auth pool has connections
REQUEST_TIMEOUT = 30.0
HUGE_HEADER_BYTES = 64 * 1024
NESTING = 3000
SLOW_BODY_BYTES = 200
SLOW_HOLD_S = 6.0
RSS_TARGET = 1.5  # last-interval RSS within 1.5x of the first
P99_TARGET = 3.0  # a later interval's p99 within 3x of the first's
SELECT_PATH = "/rest/v1/ai_models_system?select=id,name"


class Attack(StrEnum):
    FORGED_TOKEN = "forged token"
    GARBAGE_TOKEN = "garbage token"
    HUGE_HEADER = "huge header"
    DEEP_JSON = "deep JSON"
    WRONG_PASSWORD = "wrong password"
    SLOW_CLIENT = "slow client"


@dataclass(frozen=True)
class Sample:
    """One finished request: when it ended, what it was, what came back (None: no answer)."""

    ended: float
    kind: str
    status: int | None
    ms: float


@dataclass(frozen=True)
class Interval:
    start: float
    end: float
    rss_mb: float
    legit: list[Sample]
    attacks: list[Sample]

    def legit_errors(self) -> int:
        return sum(not _is_success(s.status) for s in self.legit)

    def attack_5xx(self) -> int:
        return sum(s.status is not None and s.status >= 500 for s in self.attacks)


def _is_success(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


class SoakTraffic:
    """Every client is a thread looping until `stop`; samples go to one list."""

    def __init__(self, base: str, readers: list[Actor], recorders: list[Actor], model: str):
        self.base = base
        self.readers = readers
        self.recorders = recorders
        self.model = model
        self.samples: list[Sample] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        workers: list[Callable[[], None]] = []
        workers += [self._loop("read", self._read(a)) for a in self.readers]
        workers += [self._loop("record", self._record(a)) for a in self.recorders]
        for attack, call in self._attacks().items():
            copies = SLOW_CLIENTS if attack is Attack.SLOW_CLIENT else 1
            workers += [self._loop(f"attack: {attack}", call) for _ in range(copies)]
        for worker in workers:
            thread = threading.Thread(target=worker, daemon=True)
            thread.start()
            self._threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT + SLOW_HOLD_S)

    def taken(self, since: float, until: float) -> list[Sample]:
        with self._lock:
            return [s for s in self.samples if since <= s.ended < until]

    def _loop(self, kind: str, call: Callable[[], int | None]) -> Callable[[], None]:
        def run() -> None:
            while not self.stop.is_set():
                began = time.perf_counter()
                try:
                    status = call()
                except (requests.RequestException, OSError):
                    status = None
                ended = time.perf_counter()
                with self._lock:
                    self.samples.append(Sample(ended, kind, status, (ended - began) * 1000))
                if kind.startswith("attack") and status is None:
                    time.sleep(0.05)  # a refused connection returns at once: do not spin

        return run

    # -- legitimate clients ------------------------------------------------------------
    def _session(self, actor: Actor) -> requests.Session:
        session = requests.Session()
        session.headers.update(
            {"apikey": ANON_KEY, "Authorization": f"Bearer {actor.access_token()}"}
        )
        return session

    def _read(self, actor: Actor) -> Callable[[], int | None]:
        session = self._session(actor)
        return lambda: session.get(self.base + SELECT_PATH, timeout=REQUEST_TIMEOUT).status_code

    def _record(self, actor: Actor) -> Callable[[], int | None]:
        session = self._session(actor)
        body: dict[str, str | int] = {"model_id": self.model, "tokens_used": 1}
        url = self.base + "/rest/v1/rpc/record_usage"
        return lambda: session.post(url, json=body, timeout=REQUEST_TIMEOUT).status_code

    # -- attackers ------------------------------------------------------------------------
    def _attacks(self) -> dict[Attack, Callable[[], int | None]]:
        forged = jwt.encode(
            {"sub": str(uuid.uuid4()), "role": "service_role", "exp": int(time.time()) + 3600},
            "not-the-secret-" + uuid.uuid4().hex,
            algorithm="HS256",
        )
        rest = self.base + SELECT_PATH
        token_url = self.base + "/auth/v1/token?grant_type=password"

        def with_token(token: str) -> Callable[[], int | None]:
            headers = {"apikey": ANON_KEY, "Authorization": f"Bearer {token}"}
            return lambda: requests.get(rest, headers=headers, timeout=REQUEST_TIMEOUT).status_code

        def huge_header() -> int | None:
            headers = {"apikey": ANON_KEY, "X-Padding": "a" * HUGE_HEADER_BYTES}
            return requests.get(rest, headers=headers, timeout=REQUEST_TIMEOUT).status_code

        def deep_json() -> int | None:
            body = "[" * NESTING + "]" * NESTING
            return requests.post(
                self.base + "/rest/v1/rpc/record_usage",
                data=body,
                headers={"apikey": ANON_KEY, "Content-Type": "application/json"},
                timeout=REQUEST_TIMEOUT,
            ).status_code

        def wrong_password() -> int | None:
            status = requests.post(
                token_url,
                headers={"apikey": ANON_KEY},
                json={"email": "nobody@example.test", "password": "wrong-" + uuid.uuid4().hex},
                timeout=REQUEST_TIMEOUT,
            ).status_code
            time.sleep(0.2)  # a guesser, not a flood: the flood is the other attackers' job
            return status

        return {
            Attack.FORGED_TOKEN: with_token(forged),
            Attack.GARBAGE_TOKEN: with_token("garbage." + uuid.uuid4().hex + ".token"),
            Attack.HUGE_HEADER: huge_header,
            Attack.DEEP_JSON: deep_json,
            Attack.WRONG_PASSWORD: wrong_password,
            Attack.SLOW_CLIENT: self._slow_client,
        }

    def _slow_client(self) -> int | None:
        """Announce a sign-in body, then trickle it a byte a second; hang up after a while.

        Returns the status if the server answered (it may time the body out), else None.
        """
        host, port = self.base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT) as conn:
            conn.sendall(
                (
                    "POST /auth/v1/token?grant_type=password HTTP/1.1\r\n"
                    f"Host: {host}\r\napikey: {ANON_KEY}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {SLOW_BODY_BYTES}\r\n\r\n"
                ).encode()
            )
            conn.settimeout(1.0)
            deadline = time.monotonic() + SLOW_HOLD_S
            while time.monotonic() < deadline and not self.stop.is_set():
                try:
                    answer = conn.recv(64)
                except TimeoutError:
                    conn.sendall(b" ")
                    continue
                return _status_of(answer)
        return None


def _status_of(answer: bytes) -> int | None:
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def _rss_mb(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _figures(intervals: list[Interval]) -> list[Figure]:
    """p50, p99 and RSS of every interval, each against the first interval's own value."""
    measures: list[tuple[str, Callable[[Interval], float], float | None]] = [
        ("p50_ms", lambda i: _p(i, 0.50), None),
        ("p99_ms", lambda i: _p(i, 0.99), P99_TARGET),
        ("rss_mb", lambda i: i.rss_mb, RSS_TARGET),
    ]
    return [
        Figure(
            case=f"interval {number} ({interval.start:.0f}-{interval.end:.0f} s)",
            metric=metric,
            value=measure(interval),
            limit=measure(intervals[0]),
            limit_label="interval 1",
            target=target,
        )
        for number, interval in enumerate(intervals, start=1)
        for metric, measure, target in measures
    ]


def _p(interval: Interval, fraction: float) -> float:
    times = [s.ms for s in interval.legit if _is_success(s.status)]
    return percentile(times, fraction) if times else 0.0


def _notes(intervals: list[Interval], seconds: float) -> list[str]:
    notes = [
        f"{seconds:.0f} s of traffic: {READERS} readers, {RECORDERS} recorders, one client per"
        f" attack and {SLOW_CLIENTS} slow clients; client threads, gateway and Postgres share"
        " the same cores."
    ]
    for number, interval in enumerate(intervals, start=1):
        answers = Counter(
            "no answer" if s.status is None else str(s.status) for s in interval.attacks
        )
        notes.append(
            f"interval {number}: {len(interval.legit)} legitimate requests,"
            f" {interval.legit_errors()} errors; RSS {interval.rss_mb:.0f} MB;"
            f" {len(interval.attacks)} attacks, answered {dict(sorted(answers.items()))}"
        )
    return notes


def run_soak(ctx: BenchContext, *, seconds: float | None = None) -> BenchmarkResult:
    duration = seconds if seconds is not None else DURATION_S[ctx.scale]
    count = INTERVALS[ctx.scale]
    result = BenchmarkResult(
        name="soak",
        title=f"6. Soak: {duration:.0f} s of mixed traffic with attackers",
        scale=ctx.scale,
    )
    db = ctx.database
    with psycopg.connect(db.owner_url) as conn:
        model = model_id(conn, BULK_MODEL)
    with bench_writers(db.owner_url) as pool:
        recorders = [w.actor for w in pool.provision(count=RECORDERS, model=model)]
        readers = [ctx.seed_info.actor("user")] * READERS
        gateway = GatewayProcess(
            ctx.stack.settings.devstack_dir / f"soak-gateway-{ctx.scale}", free_port()
        )
        gateway.start(rest_db_url=db.authenticator_url, auth_db_url=db.auth_admin_url)
        traffic = SoakTraffic(gateway.url, readers, recorders, str(model))
        intervals: list[Interval] = []
        try:
            server = gateway.pid()
            began = time.perf_counter()
            traffic.start()
            for number in range(1, count + 1):
                end = began + duration * number / count
                time.sleep(max(0.0, end - time.perf_counter()))
                start = began + duration * (number - 1) / count
                taken = traffic.taken(start, end)
                intervals.append(
                    Interval(
                        start=start - began,
                        end=end - began,
                        rss_mb=_rss_mb(gateway.pid()),
                        legit=[s for s in taken if not s.kind.startswith("attack")],
                        attacks=[s for s in taken if s.kind.startswith("attack")],
                    )
                )
            same_server = gateway.pid() == server
        finally:
            traffic.finish()
            gateway.stop()
    result.figures = _figures(intervals)
    attacks_sent = {s.kind for i in intervals for s in i.attacks}
    result.checks = [
        Check(
            name="no legitimate request failed",
            passed=all(i.legit_errors() == 0 for i in intervals),
            detail=f"{sum(i.legit_errors() for i in intervals)} errors",
        ),
        Check(
            name="no attack got a 5xx",
            passed=all(i.attack_5xx() == 0 for i in intervals),
            detail=f"{sum(i.attack_5xx() for i in intervals)} answers of 5xx",
        ),
        Check(
            name="every kind of attack was sent",
            passed=attacks_sent == {f"attack: {a}" for a in Attack},
            detail=", ".join(sorted(k.removeprefix("attack: ") for k in attacks_sent)),
        ),
        Check(
            name="the gateway process served throughout (never died or restarted)",
            passed=same_server and server is not None,
        ),
    ]
    result.notes = _notes(intervals, duration)
    return result
