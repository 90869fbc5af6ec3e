"""The seed document's verification script, plus our own checks, as data.

`run_checks(db_url)` connects as the superuser and returns one CheckResult per check; the CLI
(`aimodels verify`) renders them. Nothing here prints, and no check ever reads a key itself:
placeholder keys are recognised by the flag stored next to the encrypted key.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import psycopg
from pydantic import BaseModel, ConfigDict

SEED_TABLES = ("ai_models_system", "org_system_model_config", "ai_model_usage")
ORGANIZATION_QUOTA_COLUMNS = (
    "pricing_plan",
    "token_quota_monthly",
    "token_usage_current",
    "token_reset_date",
)
EXPOSED_SCHEMAS = ("public", "graphql_public")
MIN_POLICIES = 10
SAMPLE_MODEL_COUNT = 6


class CheckStatus(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class CheckResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    status: CheckStatus
    detail: str


Check = Callable[[psycopg.Connection], CheckResult]


def _passes(ok: bool) -> CheckStatus:
    return CheckStatus.PASS if ok else CheckStatus.FAIL


def check_seed_tables(conn: psycopg.Connection) -> CheckResult:
    rows = conn.execute(
        "select table_name from information_schema.tables"
        " where table_schema = 'public' and table_name = any(%s)",
        (list(SEED_TABLES),),
    ).fetchall()
    found = {row[0] for row in rows}
    missing = [name for name in SEED_TABLES if name not in found]
    detail = f"{len(found)}/{len(SEED_TABLES)} tables" + (f"; missing {missing}" if missing else "")
    return CheckResult(name="seed tables exist", status=_passes(not missing), detail=detail)


def check_organization_columns(conn: psycopg.Connection) -> CheckResult:
    rows = conn.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'public' and table_name = 'organizations'"
        " and column_name = any(%s)",
        (list(ORGANIZATION_QUOTA_COLUMNS),),
    ).fetchall()
    found = {row[0] for row in rows}
    missing = [name for name in ORGANIZATION_QUOTA_COLUMNS if name not in found]
    detail = f"{len(found)}/{len(ORGANIZATION_QUOTA_COLUMNS)} columns" + (
        f"; missing {missing}" if missing else ""
    )
    return CheckResult(
        name="organization plan/quota columns", status=_passes(not missing), detail=detail
    )


def check_seed_tables_rls(conn: psycopg.Connection) -> CheckResult:
    rows = conn.execute(
        "select tablename from pg_tables"
        " where schemaname = 'public' and rowsecurity and tablename = any(%s)",
        (list(SEED_TABLES),),
    ).fetchall()
    protected = {row[0] for row in rows}
    unprotected = [name for name in SEED_TABLES if name not in protected]
    detail = f"RLS on {len(protected)}/{len(SEED_TABLES)} tables" + (
        f"; off on {unprotected}" if unprotected else ""
    )
    return CheckResult(name="RLS on seed tables", status=_passes(not unprotected), detail=detail)


def check_policy_count(conn: psycopg.Connection) -> CheckResult:
    row = conn.execute(
        "select count(*) filter (where tablename = any(%s)), count(*)"
        " from pg_policies where schemaname = 'public'",
        (list(SEED_TABLES),),
    ).fetchone()
    on_seed_tables, total = (row[0], row[1]) if row else (0, 0)
    return CheckResult(
        name="RLS policies",
        status=_passes(on_seed_tables >= MIN_POLICIES),
        detail=f"{on_seed_tables} on the seed tables (need {MIN_POLICIES}+), {total} in public",
    )


def check_sample_models(conn: psycopg.Connection) -> CheckResult:
    rows = conn.execute(
        "select name, organization_types from public.ai_models_system order by sort_order, name"
    ).fetchall()
    described = "; ".join(
        f"{name} -> {', '.join(types) if types else 'all types'}" for name, types in rows
    )
    return CheckResult(
        name="sample models with targets",
        status=_passes(len(rows) >= SAMPLE_MODEL_COUNT),
        detail=f"{len(rows)} models (need {SAMPLE_MODEL_COUNT}): {described}",
    )


def check_exposed_tables_rls(conn: psycopg.Connection) -> CheckResult:
    rows = conn.execute(
        "select n.nspname || '.' || c.relname from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = any(%s) and c.relkind in ('r', 'p') and not c.relrowsecurity"
        " order by 1",
        (list(EXPOSED_SCHEMAS),),
    ).fetchall()
    exposed = [row[0] for row in rows]
    detail = f"RLS off on {exposed}" if exposed else "every table in public/graphql_public"
    return CheckResult(name="RLS on exposed tables", status=_passes(not exposed), detail=detail)


def check_api_keys(conn: psycopg.Connection) -> CheckResult:
    rows = conn.execute(
        "select m.name, k.is_placeholder from public.ai_models_system m"
        " left join private.model_api_keys k on k.model_id = m.id"
        " where m.is_active order by m.name"
    ).fetchall()
    placeholders = [name for name, is_placeholder in rows if is_placeholder]
    missing = [name for name, is_placeholder in rows if is_placeholder is None]
    if not placeholders and not missing:
        return CheckResult(
            name="model API keys", status=CheckStatus.PASS, detail=f"{len(rows)} real keys set"
        )
    parts = []
    if placeholders:
        parts.append(f"{len(placeholders)} placeholder keys ({', '.join(placeholders)})")
    if missing:
        parts.append(f"{len(missing)} without a key ({', '.join(missing)})")
    return CheckResult(name="model API keys", status=CheckStatus.WARN, detail="; ".join(parts))


CHECKS: tuple[Check, ...] = (
    check_seed_tables,
    check_organization_columns,
    check_seed_tables_rls,
    check_policy_count,
    check_sample_models,
    check_exposed_tables_rls,
    check_api_keys,
)


def run_checks(db_url: str) -> list[CheckResult]:
    """Every check against the database at db_url; a failing query fails only its own check."""
    try:
        conn = psycopg.connect(db_url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        return [CheckResult(name="database connection", status=CheckStatus.FAIL, detail=str(exc))]
    results: list[CheckResult] = []
    with conn:
        for check in CHECKS:
            try:
                results.append(check(conn))
            except psycopg.Error as exc:
                name = check.__name__.removeprefix("check_").replace("_", " ")
                results.append(
                    CheckResult(name=name, status=CheckStatus.FAIL, detail=f"query failed: {exc}")
                )
    return results
