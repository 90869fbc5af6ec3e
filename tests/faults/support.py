"""Traffic, faults and the reconciliation for the fault-injection suite.

Clients read (REST GET) and record (`record_usage`, each call with a token count no other
call uses, so its row can be found afterwards) while a fault is injected. Rows that existed
before the traffic (the seed's usage history) are no recording's: a seeded row whose count
equals a tag would otherwise pass for a second row of that recording. Every attempt
ends in one of three ways: a 2xx receipt, an HTTP error answer, or no answer at all (the
connection died). The reconciliation then reads rows and counters in one snapshot.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field, replace
from enum import StrEnum

import psycopg
import requests

PASSWORD = "aimodels-dev-password"
REQUEST_TIMEOUT = 10.0


@dataclass(frozen=True)
class Actor:
    email: str
    user_id: str
    organization_id: str
    model_id: str
    token: str = ""


class Kind(StrEnum):
    READ = "read"
    RECORD = "record"


@dataclass(frozen=True)
class Attempt:
    kind: Kind
    actor: Actor
    tokens: int  # the tag of a recording (0 for a read)
    started: float
    status: int | None  # None: no answer (connection refused, reset or timed out)
    row_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def find_actors(db_url: str, *, count: int) -> list[Actor]:
    """Seeded users with a paid, non-trial model enabled for their organization."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            """
            select distinct on (p.id) u.email, p.id::text, p.organization_id::text, m.id::text
            from public.profiles p
            join auth.users u on u.id = p.id
            join public.org_system_model_config c
              on c.organization_id = p.organization_id and c.is_enabled_for_users
            join public.ai_models_system m
              on m.id = c.system_model_id and not m.is_free and not m.is_trial and m.is_active
            where p.role = 'user'
            order by p.id, m.id
            limit %s
            """,
            (count,),
        ).fetchall()
    if len(rows) < count:
        raise RuntimeError(f"the seed has {len(rows)} usable (user, paid model) pairs, not {count}")
    return [Actor(email, user, org, model) for email, user, org, model in rows]


def lift_limits(db_url: str, actors: list[Actor]) -> None:
    """No model limit, per-user limit or org quota for these actors: only faults refuse."""
    models = [a.model_id for a in actors]
    orgs = [a.organization_id for a in actors]
    with psycopg.connect(db_url) as conn:
        conn.execute(
            "update public.ai_models_system set token_limit_amount = null"
            " where id = any(%s::uuid[])",
            (models,),
        )
        conn.execute(
            "update public.org_system_model_config set token_limit_per_user = null"
            " where organization_id = any(%s::uuid[])",
            (orgs,),
        )
        conn.execute(
            "update public.organizations set token_quota_monthly = null where id = any(%s::uuid[])",
            (orgs,),
        )


def sign_in(api_url: str, anon_key: str, actor: Actor) -> Actor:
    answer = requests.post(
        f"{api_url}/auth/v1/token?grant_type=password",
        headers={"apikey": anon_key},
        json={"email": actor.email, "password": PASSWORD},
        timeout=REQUEST_TIMEOUT,
    )
    answer.raise_for_status()
    return replace(actor, token=str(answer.json()["access_token"]))


class Traffic:
    """Readers and recorders in threads, one of each per actor, until stopped."""

    # Distinct token counts across the whole session: a count is a recording's tag.
    _tags = itertools.count(1)

    def __init__(self, api_url: str, anon_key: str, actors: list[Actor]) -> None:
        self.api_url = api_url
        self.anon_key = anon_key
        self.actors = actors
        self.attempts: list[Attempt] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Traffic:
        for actor in self.actors:
            for kind in Kind:
                thread = threading.Thread(target=self._loop, args=(kind, actor), daemon=True)
                thread.start()
                self._threads.append(thread)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT + 5)

    def _loop(self, kind: Kind, actor: Actor) -> None:
        while not self._stop.is_set():
            attempt = self.record(actor) if kind is Kind.RECORD else self.read(actor)
            with self._lock:
                self.attempts.append(attempt)
            if not attempt.ok:
                time.sleep(0.05)  # a client backs off a little on errors

    def _headers(self, actor: Actor) -> dict[str, str]:
        return {"apikey": self.anon_key, "Authorization": f"Bearer {actor.token}"}

    def read(self, actor: Actor) -> Attempt:
        started = time.monotonic()
        try:
            answer = requests.get(
                f"{self.api_url}/rest/v1/ai_models_system?select=id,name",
                headers=self._headers(actor),
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException:
            return Attempt(Kind.READ, actor, 0, started, None)
        return Attempt(Kind.READ, actor, 0, started, answer.status_code)

    def record(self, actor: Actor, tokens: int | None = None) -> Attempt:
        """One recording, tagged with the next unused count unless `tokens` is given."""
        tokens = next(self._tags) if tokens is None else tokens
        started = time.monotonic()
        try:
            answer = requests.post(
                f"{self.api_url}/rest/v1/rpc/record_usage",
                headers=self._headers(actor),
                json={"model_id": actor.model_id, "tokens_used": tokens},
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException:
            return Attempt(Kind.RECORD, actor, tokens, started, None)
        row_id = None
        if 200 <= answer.status_code < 300:
            row_id = str(answer.json()["id"])
        return Attempt(Kind.RECORD, actor, tokens, started, answer.status_code, row_id)

    def snapshot(self) -> list[Attempt]:
        with self._lock:
            return list(self.attempts)


@dataclass
class Reconciliation:
    """What the database holds for the tagged recordings, against what clients were told."""

    receipts_without_one_row: list[str] = field(default_factory=list)
    rows_for_refused_requests: list[str] = field(default_factory=list)
    unanswered_with_two_rows: list[str] = field(default_factory=list)
    counter_mismatches: list[str] = field(default_factory=list)
    receipts: int = 0
    refused: int = 0
    unanswered: int = 0
    unanswered_committed: int = 0

    @property
    def problems(self) -> list[str]:
        return (
            self.receipts_without_one_row
            + self.rows_for_refused_requests
            + self.unanswered_with_two_rows
            + self.counter_mismatches
        )


def usage_row_ids(db_url: str, actors: list[Actor]) -> frozenset[str]:
    """The ids of the actors' usage rows now: taken before the traffic, none of them is a
    recording of it."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "select id::text from public.ai_model_usage where user_id = any(%s::uuid[])",
            ([a.user_id for a in actors],),
        ).fetchall()
    return frozenset(str(row_id) for (row_id,) in rows)


def reconcile(
    db_url: str, attempts: list[Attempt], *, rows_before: frozenset[str]
) -> Reconciliation:
    """Every 2xx receipt is exactly one row (its id), an HTTP error answer left no row, a
    call that got no answer left at most one, and every counter equals the sum of its rows.

    A recording's rows are the rows with its tag, but for `rows_before` (the rows that
    existed before the traffic started; counters are checked against every row)."""
    recordings = [a for a in attempts if a.kind is Kind.RECORD]
    users = sorted({a.actor.user_id for a in recordings})
    result = Reconciliation()
    with psycopg.connect(db_url) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.transaction():
            rows: dict[tuple[str, int], list[str]] = {}
            for user, tokens, row_id in conn.execute(
                "select user_id::text, tokens_used, id::text from public.ai_model_usage"
                " where user_id = any(%s::uuid[])",
                (users,),
            ):
                if row_id not in rows_before:
                    rows.setdefault((user, tokens), []).append(row_id)
            result.counter_mismatches = counter_mismatches(conn, users)
    for attempt in recordings:
        found = rows.get((attempt.actor.user_id, attempt.tokens), [])
        label = f"{attempt.actor.email} tokens_used={attempt.tokens} status={attempt.status}"
        if attempt.ok:
            result.receipts += 1
            if found != [attempt.row_id]:
                result.receipts_without_one_row.append(f"{label}: receipt, rows {found}")
        elif attempt.status is not None:
            result.refused += 1
            if found:
                result.rows_for_refused_requests.append(f"{label}: refused, rows {found}")
        else:
            result.unanswered += 1
            result.unanswered_committed += len(found) == 1
            if len(found) > 1:
                result.unanswered_with_two_rows.append(f"{label}: unanswered, rows {found}")
    return result


def counter_mismatches(conn: psycopg.Connection[tuple[object, ...]], users: list[str]) -> list[str]:
    """Org quota counters and per-user window counters that differ from the sum of rows."""
    orgs = conn.execute(
        """
        select 'org ' || o.name, o.token_usage_current, coalesce((
          select sum(u.tokens_used) from public.ai_model_usage u
          join public.ai_models_system m on m.id = u.model_id
          where u.organization_id = o.id and not m.is_free
            and u.created_at >= o.token_reset_date - interval '1 month'
        ), 0)
        from public.organizations o
        where o.id in (select organization_id from public.profiles where id = any(%s::uuid[]))
        """,
        (users,),
    ).fetchall()
    windows = conn.execute(
        """
        select 'user ' || t.user_id || ' model ' || t.model_id, t.tokens, coalesce((
          select sum(u.tokens_used) from public.ai_model_usage u
          where u.user_id = t.user_id and u.model_id = t.model_id
            and u.period_start = t.period_start and u.period_end = t.period_end
        ), 0)
        from private.usage_period_totals t where t.user_id = any(%s::uuid[])
        """,
        (users,),
    ).fetchall()
    return [
        f"{what}: counter {counter} != sum of rows {rows}"
        for what, counter, rows in [*orgs, *windows]
        if counter != rows
    ]


def seconds_until_serving(traffic: Traffic, since: float, *, limit: float) -> float | None:
    """Seconds from `since` until a read and a recording that started after it both got a
    2xx, watching the live traffic; None if that did not happen within `limit`."""
    deadline = since + limit
    while time.monotonic() < deadline:
        served = {a.kind: a.started for a in traffic.snapshot() if a.ok and a.started >= since}
        if len(served) == len(Kind):
            return max(served.values()) - since
        time.sleep(0.1)
    return None


def terminate_backends_for(
    db_url: str, seconds: float, *, every: float = 0.1, application: str = "aimodels-gateway-%"
) -> int:
    """Terminate the gateway's active backends every `every` s for `seconds`; returns how many.

    Keeps going through a Postgres restart (its own connection is cut too).
    """
    killed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(db_url, autocommit=True, connect_timeout=2) as conn:
                while time.monotonic() < deadline:
                    row = conn.execute(
                        "select count(*) filter (where pg_terminate_backend(pid))"
                        " from pg_stat_activity where application_name like %s"
                        " and state = 'active' and pid <> pg_backend_pid()",
                        (application,),
                    ).fetchone()
                    killed += int(row[0]) if row else 0
                    time.sleep(every)
        except psycopg.OperationalError:
            time.sleep(every)
    return killed
