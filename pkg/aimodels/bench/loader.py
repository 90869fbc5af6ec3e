"""`bench seed`: bulk-load a generated dataset into a scale's throwaway database with COPY.

The bulk load bypasses triggers: the loading session (the superuser) sets
`session_replication_role = replica`, which skips every ordinary trigger, including the
usage admission trigger and the foreign-key triggers. That is sound only because the
generator writes a consistent history (every row within the rules as of its own time,
references all present), and it happens only here, in a database that exists to be thrown
away. Check constraints still apply. Afterwards the organizations' quota counters are set
from the loaded usage, the last day's calls are settled as holds, and the tables are
vacuumed and analyzed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg
from pydantic import BaseModel, ConfigDict
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from aimodels.bench.actors import Actor
from aimodels.bench.database import BenchDatabase
from aimodels.bench.generator import (
    DEV_PASSWORD_HASH,
    GENERATOR_VERSION,
    USAGE_COLUMNS,
    USAGE_TYPES,
    Dataset,
    Row,
    TableRows,
    anchor_now,
    generate_dataset,
    generate_usage,
)
from aimodels.bench.scales import Scale, Shape, spec

_BATCH = 5_000


class TableLoad(BaseModel):
    model_config = ConfigDict(frozen=True)

    table: str
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class SeedInfo(BaseModel):
    """What `bench seed` loaded; kept in the database (bench.seed_info) for `bench run`."""

    scale: Scale
    shape: Shape = Shape.WIDE
    seed: int
    # The migrations it was built with: a changed schema means the data must be reloaded.
    schema_fingerprint: str
    generator_version: int = 1
    anchor: datetime
    loaded: list[TableLoad]
    seconds: float
    actors: list[Actor]

    def actor(self, label: str) -> Actor:
        return next(a for a in self.actors if a.label == label)


class RowRateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="cyan")


def _tables(seed: int, dataset: Dataset, usage_rows: int) -> list[TableRows]:
    app_meta = json.dumps({"provider": "email", "providers": ["email"]})
    enabled = [c for c in dataset.configs if c.enabled]
    return [
        TableRows(
            "auth.users",
            (
                "id",
                "instance_id",
                "aud",
                "role",
                "email",
                "encrypted_password",
                "email_confirmed_at",
                "raw_app_meta_data",
                "raw_user_meta_data",
                "created_at",
                "updated_at",
                "is_sso_user",
                "is_anonymous",
            ),
            len(dataset.users),
            iter(
                [
                    (
                        u.id,
                        "00000000-0000-0000-0000-000000000000",
                        "authenticated",
                        "authenticated",
                        u.email,
                        DEV_PASSWORD_HASH,
                        u.created_at,
                        app_meta,
                        "{}",
                        u.created_at,
                        u.created_at,
                        False,
                        False,
                    )
                    for u in dataset.users
                ]
            ),
        ),
        TableRows(
            "public.organizations",
            (
                "id",
                "slug",
                "name",
                "type",
                "pricing_plan",
                "token_quota_monthly",
                "token_usage_current",
                "created_at",
                "updated_at",
            ),
            len(dataset.orgs),
            iter(
                [
                    (
                        o.id,
                        o.slug,
                        f"Bench Organization {o.slug[-5:]}",
                        o.type,
                        o.plan,
                        o.quota,
                        0,
                        o.created_at,
                        o.created_at,
                    )
                    for o in dataset.orgs
                ]
            ),
        ),
        TableRows(
            "public.profiles",
            ("id", "organization_id", "role", "display_name", "created_at", "updated_at"),
            len(dataset.users),
            iter(
                [
                    (
                        u.id,
                        u.organization_id,
                        u.role,
                        u.email.split("@")[0],
                        u.created_at,
                        u.created_at,
                    )
                    for u in dataset.users
                ]
            ),
        ),
        TableRows(
            "public.ai_models_system",
            (
                "id",
                "name",
                "role",
                "task",
                "system_message",
                "endpoint",
                "max_tokens",
                "organization_types",
                "required_plan",
                "token_limit_period",
                "token_limit_amount",
                "is_free",
                "is_trial",
                "trial_expires_days",
                "is_active",
                "is_featured",
                "description",
                "tags",
                "sort_order",
            ),
            len(dataset.models),
            iter(
                [
                    (
                        m.id,
                        m.name,
                        "assistant",
                        ["chat", "summarize"],
                        "You are a helpful assistant.",
                        "https://api.example.test/v1",
                        4096,
                        list(m.organization_types),
                        m.required_plan,
                        m.period,
                        m.limit,
                        m.is_free,
                        m.is_trial,
                        m.trial_days,
                        m.is_active,
                        index % 5 == 0,
                        "Generated for benchmarks",
                        ["bench"],
                        index,
                    )
                    for index, m in enumerate(dataset.models)
                ]
            ),
        ),
        TableRows(
            "public.org_system_model_config",
            (
                "organization_id",
                "system_model_id",
                "is_enabled_for_users",
                "token_limit_per_user",
                "created_at",
                "updated_at",
            ),
            len(dataset.configs),
            iter(
                [
                    (
                        c.organization_id,
                        c.model.id,
                        c.enabled,
                        c.limit_per_user,
                        c.created_at,
                        c.created_at,
                    )
                    for c in dataset.configs
                ]
            ),
        ),
        TableRows(
            "private.org_model_first_enabled",
            ("organization_id", "system_model_id", "first_enabled_at"),
            len(enabled),
            iter([(c.organization_id, c.model.id, c.created_at) for c in enabled]),
        ),
        TableRows(
            "public.ai_model_usage",
            USAGE_COLUMNS,
            usage_rows,
            generate_usage(seed, dataset, usage_rows),
            binary_types=USAGE_TYPES,
        ),
    ]


def _copy(conn: psycopg.Connection, table: TableRows, progress: Progress) -> TableLoad:
    task = progress.add_task(table.table, total=table.count)
    started = time.perf_counter()
    written = 0
    with (
        conn.cursor() as cursor,
        cursor.copy(f"copy {table.table} ({', '.join(table.columns)}) from stdin") as copy,
    ):
        for row in _batched_progress(table.rows, progress, task):
            copy.write_row(row)
            written += 1
    conn.commit()
    seconds = time.perf_counter() - started
    progress.update(task, completed=written)
    return TableLoad(table=table.table, rows=written, seconds=seconds)


_SECONDARY_INDEXES = """
select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
from pg_index i
where i.indrelid = %s::regclass
  and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
"""


def _drop_secondary_indexes(conn: psycopg.Connection, table: str) -> list[str]:
    """Drop the table's plain indexes for the load; returns their definitions.

    Building an index once is far cheaper than maintaining it row by row; the definitions
    come from the catalog, so the rebuild is exactly what the migrations made.
    """
    indexes = conn.execute(_SECONDARY_INDEXES, (table,)).fetchall()
    for name, _ in indexes:
        conn.execute(f"drop index {name}")
    conn.commit()
    return [definition for _, definition in indexes]


def _build_indexes(conn: psycopg.Connection, definitions: list[str], console: Console) -> None:
    with console.status(f"Building {len(definitions)} indexes..."):
        conn.execute("set maintenance_work_mem = '1GB'")
        for definition in definitions:
            conn.execute(definition)
        conn.commit()


def _batched_progress(rows: Iterator[Row], progress: Progress, task: TaskID) -> Iterator[Row]:
    for index, row in enumerate(rows, start=1):
        if index % _BATCH == 0:
            progress.update(task, advance=_BATCH)
        yield row


_FIX_QUOTAS = """
update public.organizations o
set token_usage_current = coalesce(u.tokens, 0),
    token_quota_monthly = case
      when o.token_quota_monthly is null then null
      else greatest(o.token_quota_monthly, 2 * coalesce(u.tokens, 0))
    end,
    token_reset_date = private.next_quota_reset(now())
from (
  select o2.id, sum(x.tokens_used) as tokens
  from public.organizations o2
  left join public.ai_model_usage x
    on x.organization_id = o2.id
   and x.created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'
   and not exists (select 1 from public.ai_models_system m where m.id = x.model_id and m.is_free)
  where o2.slug like 'bench-org-%'
  group by o2.id
) u
where u.id = o.id
"""

# The per-organization model facts are kept by triggers the bulk load skipped: rebuilt once.
_REFRESH_MODEL_ACCESS = "select private.refresh_org_model_access(null, null)"

# The holds a day of model calls leaves: the model access service holds before each call and
# settles after it, and ended holds are kept for `keep_ended` (a day). Each row of the last
# `keep_ended` before the anchor is such a call's settlement. Without them the table is
# empty when it is analyzed, the planner reads it by a sequential scan, and the sessions
# keep those plans after the benchmarks have filled it (until autoanalyze comes round): the
# recording and the holds of a database seeded minutes before ran 1.2-1.3x slower than
# those of one seeded in an earlier run. Ids derive from the row's, so a seed gives the
# same rows.
_SETTLED_HOLDS = """
insert into public.usage_reservations (
  id, user_id, organization_id, model_id, tokens_held, requests_count, status,
  expires_at, created_at, ended_at, usage_id, tokens_settled
)
select md5('bench hold/' || u.id)::uuid, u.user_id, u.organization_id, u.model_id,
  u.tokens_used, u.requests_count, 'settled', u.created_at + private.usage_hold_ttl(),
  u.created_at, u.created_at, u.id, u.tokens_used
from public.ai_model_usage u
where u.created_at >= %(anchor)s - (select s.keep_ended from private.usage_hold_settings s)
"""

_SEED_INFO = """
create schema if not exists bench;
revoke all on schema bench from public;
create table if not exists bench.seed_info (only_row boolean primary key default true
  check (only_row), info jsonb not null);
"""


def schema_fingerprint(project_dir: Path) -> str:
    """A digest of supabase/migrations (names and contents, in order)."""
    digest = hashlib.sha256()
    for path in sorted((project_dir / "supabase" / "migrations").glob("*.sql")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _type_slugs(conn: psycopg.Connection) -> list[str]:
    row = conn.execute("select private.organization_type_slugs()").fetchone()
    if row is None:
        raise RuntimeError("private.organization_type_slugs() returned nothing")
    return list(row[0])


def seed_database(
    database: BenchDatabase, *, seed: int, console: Console, quiet: bool = False
) -> SeedInfo:
    """Recreate the scale's database and load it; returns what was loaded."""
    scale_spec = spec(database.scale)
    started = time.perf_counter()
    with console.status("Creating the throwaway database (bootstrap, migrations, seed)..."):
        database.recreate()
    anchor = anchor_now()
    with psycopg.connect(database.owner_url) as conn:
        dataset = generate_dataset(seed, scale_spec, _type_slugs(conn), anchor, database.shape)
        conn.execute("set session_replication_role = replica")
        conn.commit()
        progress = Progress(
            TextColumn("{task.description:<34}"),
            BarColumn(),
            MofNCompleteColumn(),
            RowRateColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=quiet,
        )
        dropped = _drop_secondary_indexes(conn, "public.ai_model_usage")
        with progress:
            loaded = [
                _copy(conn, table, progress)
                for table in _tables(seed, dataset, scale_spec.usage_rows)
            ]
        _build_indexes(conn, dropped, console)
        conn.execute("set session_replication_role = origin")
        with console.status("Setting quota counters from the loaded usage..."):
            conn.execute(_FIX_QUOTAS)
            conn.commit()
        with console.status("Rebuilding the per-organization model facts..."):
            conn.execute(_REFRESH_MODEL_ACCESS)
            conn.commit()
        with console.status("Settling the last day's calls as holds..."):
            started_holds = time.perf_counter()
            holds = conn.execute(_SETTLED_HOLDS, {"anchor": anchor}).rowcount
            conn.commit()
            loaded.append(
                TableLoad(
                    table="public.usage_reservations",
                    rows=holds,
                    seconds=time.perf_counter() - started_holds,
                )
            )
    with (
        console.status("VACUUM ANALYZE..."),
        psycopg.connect(database.owner_url, autocommit=True) as conn,
    ):
        conn.execute("vacuum (analyze)")
    info = SeedInfo(
        scale=database.scale,
        shape=database.shape,
        seed=seed,
        schema_fingerprint=schema_fingerprint(database.stack.settings.project_dir),
        generator_version=GENERATOR_VERSION,
        anchor=anchor,
        loaded=loaded,
        seconds=time.perf_counter() - started,
        actors=dataset.actors,
    )
    with psycopg.connect(database.owner_url) as conn:
        conn.execute(_SEED_INFO)
        conn.execute(
            "insert into bench.seed_info (info) values (%s)"
            " on conflict (only_row) do update set info = excluded.info",
            (info.model_dump_json(),),
        )
    return info


def read_seed_info(database: BenchDatabase) -> SeedInfo | None:
    """What `bench seed` loaded into this scale's database, or None if it never finished."""
    if not database.exists():
        return None
    with psycopg.connect(database.owner_url) as conn:
        found = conn.execute("select to_regclass('bench.seed_info')").fetchone()
        if found is None or found[0] is None:
            return None
        row = conn.execute("select info from bench.seed_info").fetchone()
    if row is None:
        return None
    try:
        return SeedInfo.model_validate(row[0])
    except ValueError:
        return None  # written by an older generator: reload
