"""Benchmark 3, concurrent recording: 1-16 sessions through record_usage vs bare INSERTs.

(a) each session records for a different user (each in an organization of its own);
(b) every session records for one user close to the limit, so about half the calls are
refused; (c) and (d) the same with a model call's accounting as the model access service
does it, a hold (reserve_usage) and its settlement (settle_usage), two transactions per
call. The target (at least half the bare INSERT's rate at 8 sessions) is on (a) and (c).
Sessions are threads, each with its own connection, released together. Each transaction is
one message: BEGIN, the PostgREST settings (role, claims), the RPC and COMMIT, as the model
access service sends a user's statement (one round trip, one parse per statement).

The limit is the table owner inserting the same rows with no checks: the superuser sets
`session_replication_role = replica`, which skips the admission trigger (the only way to
measure an unchecked insert, and only ever in the throwaway database), one autocommit INSERT
(one round trip) per row, server-bound and prepared after a few calls: its leanest. Both
sides send one round trip per call and make the per-call values (the claims, the INSERT's
parameters) before the clock starts, and first send one call rolled back on each new
connection, so that its functions are compiled and its statements planned, as on the
gateway's and the service's pooled connections.
Modes (a) and (c) are also compared with that bare INSERT sent inside the API's transaction
(BEGIN, the settings but the role switch, the INSERT, COMMIT, pipelined by the owner): what
wrapping an INSERT in a transaction costs. Both are also compared with the same calls with
no rules (bench/rule_free.py): the same messages, role and function calls, writing the same
rows into copies of the log and of the holds with no trigger, policy or foreign key. A call's
rate against them is what the rules cost, apart from what any call through the API costs.
Every run is checked for overshoot: recorded tokens never pass the limit, the
organization's quota counter equals what was recorded, and no hold is left active.
"""

from __future__ import annotations

import json
import statistics
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from uuid import UUID

import psycopg
from psycopg import sql

from aimodels.bench.context import BenchContext
from aimodels.bench.cpu import total_cpu_seconds
from aimodels.bench.recording import (
    BULK_MODEL,
    HoldSession,
    RecordingSession,
    SpendingSession,
    model_id,
    record_usage,
)
from aimodels.bench.report import BenchmarkResult, Check, Figure, Goal
from aimodels.bench.rule_free import RULE_FREE_HOLDS, RULE_FREE_RECORD, rule_free_calls
from aimodels.bench.together import run_together
from aimodels.bench.writers import BenchWriters, Writer, bench_writers
from aimodels.proxy.user_database import SEARCH_PATH

SESSIONS = (1, 2, 4, 8, 16)
TOKENS = 10
TARGET_AT_8 = 0.5
TARGETED = ("(a)", "(c)")  # the modes with a target at 8 sessions: different users

# A session's work: given its connection, it prepares (before the clock) and returns the loop.
# Preparing includes one call rolled back, on both sides: a new connection's first call pays
# for compiling functions and planning, which the pooled connections of the gateway and of
# the model access service paid long ago.
Job = Callable[[psycopg.Connection], Callable[[], None]]


@dataclass(frozen=True)
class _Timed:
    seconds: float  # wall
    server_cpu_seconds: float  # the sessions' server processes, together


def _run_sessions(url: str, jobs: list[Job], *, setup: str | None = None) -> _Timed:
    """Run each job on its own connection, all released at once."""
    connections = [psycopg.connect(url, autocommit=True) for _ in jobs]
    if setup:
        for conn in connections:
            conn.execute(setup)
    try:
        paired = zip(jobs, connections, strict=True)
        loops = [job(conn) for job, conn in paired]
        servers = [conn.info.backend_pid for conn in connections]
        cpu_before = total_cpu_seconds(servers)
        seconds = run_together(loops)
        return _Timed(seconds, total_cpu_seconds(servers) - cpu_before)
    finally:
        for conn in connections:
            conn.close()


_BARE_INSERT = """
insert into public.ai_model_usage (user_id, organization_id, model_id, model_type, model_name,
  tokens_used, requests_count, period_start, period_end, period_type)
select %(user_id)s, %(organization_id)s, m.id, 'system', m.name, %(tokens)s, 1,
  w.period_start, w.period_end, m.token_limit_period
from public.ai_models_system m, private.period_window(m.token_limit_period, now()) w
where m.id = %(model_id)s
"""


# The API's settings statement without its role switch: the owner's bare INSERT wrapped as
# the API wraps a call (the role stays the owner's, so no policy or grant applies).
_ENTER_AS_OWNER = (
    f"select set_config('search_path', {sql.Literal(SEARCH_PATH).as_string(None)}, true),"
    " set_config('request.jwt.claims', %s, true),"
    " set_config('request.method', %s, true)"
)


def _bare_params(writer: Writer, model: UUID) -> dict[str, object]:
    return {
        "user_id": writer.actor.user_id,
        "organization_id": writer.organization_id,
        "tokens": TOKENS,
        "model_id": model,
    }


def _bare_job(writer: Writer, model: UUID, rows: int) -> Job:
    params = _bare_params(writer, model)

    def job(conn: psycopg.Connection) -> Callable[[], None]:
        with conn.transaction(force_rollback=True):
            conn.execute(_BARE_INSERT, params)

        def insert_rows() -> None:
            for _ in range(rows):
                conn.execute(_BARE_INSERT, params)

        return insert_rows

    return job


def _bare_in_api_transaction_job(writer: Writer, model: UUID, rows: int) -> Job:
    """The bare INSERT wrapped as the API wraps a call, in one pipelined round trip."""
    params = _bare_params(writer, model)
    claims = json.dumps(writer.actor.claims())

    def job(conn: psycopg.Connection) -> Callable[[], None]:
        with conn.transaction(force_rollback=True):
            conn.execute(_ENTER_AS_OWNER, (claims, "POST"))
            conn.execute(_BARE_INSERT, params)

        def insert_rows() -> None:
            for _ in range(rows):
                with conn.pipeline():
                    conn.execute("BEGIN")
                    conn.execute(_ENTER_AS_OWNER, (claims, "POST"))
                    conn.execute(_BARE_INSERT, params)
                    conn.execute("COMMIT")

        return insert_rows

    return job


@dataclass
class _Tally:
    """Calls recorded and refused, counted across the session threads."""

    recorded: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, recorded: bool) -> None:
        with self.lock:
            if recorded:
                self.recorded += 1
            else:
                self.refused += 1


# How a session spends: a recording, or a model call's hold and its settlement.
Spender = Callable[[psycopg.Connection, str], SpendingSession]


def _rpc_job(spender: Spender, writer: Writer, model: UUID, rows: int, tally: _Tally) -> Job:
    # The gateway takes the claims from a verified token it remembers, not built per call.
    claims = json.dumps(writer.actor.claims())

    def job(conn: psycopg.Connection) -> Callable[[], None]:
        session = spender(conn, claims)
        session.warm_up(model, TOKENS)

        def spend_rows() -> None:
            for _ in range(rows):
                tally.add(session.spend(model, TOKENS))

        return spend_rows

    return job


_TOTALS = """
select coalesce(sum(u.tokens_used), 0),
       (select o.token_usage_current from public.organizations o where o.id = %(org)s),
       (select count(*) from public.usage_reservations r
        where r.user_id = %(user)s and r.status = 'active')
from public.ai_model_usage u
where u.user_id = %(user)s and u.model_id = %(model)s
"""


def _overshoot(owner_url: str, writer: Writer, model: UUID, limit: int | None) -> str | None:
    """What went wrong with this writer's totals, or None when they are right."""
    with psycopg.connect(owner_url) as conn:
        row = conn.execute(
            _TOTALS, {"org": writer.organization_id, "user": writer.actor.user_id, "model": model}
        ).fetchone()
    used, counter, active = (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)
    if limit is not None and used > limit:
        return f"recorded {used} > limit {limit}"
    if used != counter:
        return f"org counter {counter} != recorded {used}"
    if active:
        return f"{active} holds left active"
    return None


@dataclass(frozen=True)
class _Run:
    rpc: _Timed
    bare: _Timed
    calls: int
    problem: str | None
    bare_in_api_transaction: _Timed | None = None
    rule_free: _Timed | None = None

    @property
    def rpc_rate(self) -> float:
        return self.calls / self.rpc.seconds

    @property
    def bare_rate(self) -> float:
        return self.calls / self.bare.seconds

    @property
    def bare_in_api_transaction_rate(self) -> float | None:
        wrapped = self.bare_in_api_transaction
        return None if wrapped is None else self.calls / wrapped.seconds

    @property
    def rule_free_rate(self) -> float | None:
        return None if self.rule_free is None else self.calls / self.rule_free.seconds


def _run_different_users(
    spender: Spender,
    ctx: BenchContext,
    pool: BenchWriters,
    model: UUID,
    sessions: int,
    rows: int,
    *,
    rule_free: Spender | None = None,
) -> _Run:
    writers = pool.provision(count=sessions, model=model)
    tally = _Tally()
    rpc = _run_sessions(
        ctx.database.authenticator_url,
        [_rpc_job(spender, w, model, rows, tally) for w in writers],
    )
    problems = [p for w in writers if (p := _overshoot(ctx.database.owner_url, w, model, None))]
    if tally.refused:
        problems.append(f"{tally.refused} calls refused with no limit near")
    floor = None
    if rule_free is not None:
        # Its rows go to the copy of the log, so the totals checked above are untouched.
        floor = _run_sessions(
            ctx.database.authenticator_url,
            [_rpc_job(rule_free, w, model, rows, _Tally()) for w in writers],
        )
    bare = _run_sessions(
        ctx.database.owner_url,
        [_bare_job(w, model, rows) for w in writers],
        setup="set session_replication_role = replica",
    )
    wrapped = _run_sessions(
        ctx.database.owner_url,
        [_bare_in_api_transaction_job(w, model, rows) for w in writers],
        setup="set session_replication_role = replica",
    )
    return _Run(rpc, bare, sessions * rows, "; ".join(problems) or None, wrapped, floor)


def _run_one_user_near_limit(
    spender: Spender, ctx: BenchContext, pool: BenchWriters, model: UUID, sessions: int, rows: int
) -> _Run:
    attempts = sessions * rows
    headroom = (attempts // 2) * TOKENS  # about half the calls fit
    limit = 1_000_000
    [writer] = pool.provision(count=1, model=model, limit_per_user=limit)
    with psycopg.connect(ctx.database.authenticator_url, autocommit=True) as conn:
        if not record_usage(conn, writer.actor, model, limit - headroom):
            raise RuntimeError("could not bring the writer close to its limit")
    tally = _Tally()
    rpc = _run_sessions(
        ctx.database.authenticator_url,
        [_rpc_job(spender, writer, model, rows, tally) for _ in range(sessions)],
    )
    problem = _overshoot(ctx.database.owner_url, writer, model, limit)
    if problem is None and tally.recorded != attempts // 2:
        problem = f"recorded {tally.recorded} calls, {attempts // 2} fit under the limit"
    bare = _run_sessions(
        ctx.database.owner_url,
        [_bare_job(writer, model, rows) for _ in range(sessions)],
        setup="set session_replication_role = replica",
    )
    return _Run(rpc, bare, attempts, problem)


def _server_cpu_ms(runs: list[_Run]) -> str:
    calls = sum(r.calls for r in runs)

    def per_call(timed: list[_Timed]) -> str:
        return f"{sum(t.server_cpu_seconds for t in timed) * 1000 / calls:.2f}"

    floor = [r.rule_free for r in runs if r.rule_free]
    wrapped = [r.bare_in_api_transaction for r in runs if r.bare_in_api_transaction]
    sides = [per_call([r.rpc for r in runs])]
    sides += [per_call(floor)] if floor else []
    sides += [per_call(wrapped), per_call([r.bare for r in runs])]
    return " / ".join(sides)


def _report_mode(
    result: BenchmarkResult,
    server_cpu: dict[str, list[str]],
    mode: str,
    sessions: int,
    runs: list[_Run],
) -> None:
    """The mode's checks and figures at this many sessions."""
    if mode[:3] in server_cpu:
        server_cpu[mode[:3]].append(f"{sessions} sessions: {_server_cpu_ms(runs)}")
    problems = [r.problem for r in runs if r.problem]
    result.checks.append(
        Check(
            name=f"zero overshoot, counters exact: {mode}, {sessions} sessions",
            passed=not problems,
            detail="; ".join(problems),
        )
    )
    result.figures.append(
        Figure(
            case=f"{mode}, {sessions} sessions",
            metric="calls_per_s",
            value=statistics.median(r.rpc_rate for r in runs),
            limit=statistics.median(r.bare_rate for r in runs),
            limit_label="owner bare INSERT, same rows",
            target=TARGET_AT_8 if mode[:3] in TARGETED and sessions == 8 else None,
            goal=Goal.AT_LEAST,
        )
    )
    comparisons = (
        (
            "vs the same call with no rules",
            "the same messages, their functions writing the rows with no rules",
            [r.rule_free_rate for r in runs],
        ),
        (
            "vs the same API transaction",
            "owner bare INSERT inside the API's transaction",
            [r.bare_in_api_transaction_rate for r in runs],
        ),
    )
    for suffix, label, rates in comparisons:
        measured = [rate for rate in rates if rate]
        if len(measured) < len(runs):
            continue  # this mode does not run that comparison
        result.figures.append(
            Figure(
                case=f"{mode}, {sessions} sessions, {suffix}",
                metric="calls_per_s",
                value=statistics.median(r.rpc_rate for r in runs),
                limit=statistics.median(measured),
                limit_label=label,
                goal=Goal.AT_LEAST,
            )
        )


def run_concurrency(ctx: BenchContext) -> BenchmarkResult:
    result = BenchmarkResult(
        name="concurrency", title="3. Concurrent recording vs bare INSERT", scale=ctx.scale
    )
    # Calls per session: a quarter of per_round made a run of 8 sessions last about 0.3 s,
    # too short to tell a change from the machine's noise.
    rows = max(5, ctx.spec.per_round)
    rounds = min(3, ctx.spec.rounds)
    with psycopg.connect(ctx.database.owner_url) as conn:
        model = model_id(conn, BULK_MODEL)
    modes = {
        "(a) different users": partial(
            _run_different_users,
            RecordingSession,
            rule_free=partial(RecordingSession, statement=RULE_FREE_RECORD),
        ),
        "(b) one user near its limit": partial(_run_one_user_near_limit, RecordingSession),
        "(c) different users, hold then settle": partial(
            _run_different_users,
            HoldSession,
            rule_free=partial(HoldSession, statements=RULE_FREE_HOLDS),
        ),
        "(d) one user near its limit, hold then settle": partial(
            _run_one_user_near_limit, HoldSession
        ),
    }
    server_cpu: dict[str, list[str]] = {"(a)": [], "(c)": []}
    with bench_writers(ctx.database.owner_url) as pool, rule_free_calls(ctx.database.owner_url):
        for mode, run in modes.items():
            for sessions in SESSIONS:
                runs = [run(ctx, pool, model, sessions, rows) for _ in range(rounds)]
                _report_mode(result, server_cpu, mode, sessions, runs)
    result.notes.append(
        "RPC side: one message per transaction (BEGIN; set_config of role and claims;"
        " record_usage(); COMMIT), as the model access service sends it, as the authenticator."
        " Limit: one autocommit INSERT per row by the owner, triggers skipped"
        " (session_replication_role = replica), server-bound (prepared). Both sides send one"
        " round trip per call, with the claims and parameters made, and one call rolled back on"
        " each connection, before the clock starts."
    )
    result.notes.append(
        "(a) and (c) also against the same calls with no rules: the same messages and role,"
        " each call replaced by a definer function that writes the same rows into copies of"
        " the log and of the holds (their columns, defaults, checks and indexes; no trigger,"
        " policy or foreign key), made in this throwaway database for the run: what the rules"
        " cost, apart from what any call through the API costs. Both also against the bare"
        " INSERT sent inside the API's transaction (BEGIN; set_config of search_path and"
        " claims, no role switch; the INSERT; COMMIT; pipelined by the owner). No target: the"
        " target is on the row against the bare INSERT."
    )
    sides = {
        "(a)": "recording / the same call with no rules",
        "(c)": "hold and settlement / the same calls with no rules",
    }
    for mode, figures in server_cpu.items():
        result.notes.append(
            f"{mode} server CPU ms per call (the sessions' Postgres processes, all runs):"
            f" {sides[mode]} / bare INSERT inside the API's transaction / bare INSERT: "
            + "; ".join(figures)
        )
    result.notes.append(
        f"{rows} calls per session per run, median of {rounds} runs; (b) and (d) count refused"
        " calls too (about half are refused by the limit). In (c) and (d) a call is a model"
        " call's accounting as the model access service sends it: reserve_usage() for the"
        " tokens, then settle_usage() for them, two transactions (one message each)."
    )
    return result
