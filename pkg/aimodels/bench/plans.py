"""EXPLAIN helpers: the plan as text for people, and whether it seq-scans a table."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

import psycopg

Params = Mapping[str, object]

# The log no plan may read sequentially (the benchmarks' gate, BENCHMARKS.md).
USAGE_TABLE = "ai_model_usage"


def explain_text(conn: psycopg.Connection, sql: str, params: Params) -> str:
    rows = conn.execute(f"explain (analyze, buffers) {sql}", params).fetchall()
    return "\n".join(str(row[0]) for row in rows)


def explain_json(conn: psycopg.Connection, sql: str, params: Params) -> Mapping[str, object]:
    """The statement's plan as planned now (EXPLAIN (FORMAT JSON), not run): its root node."""
    row = conn.execute(f"explain (format json) {sql}", params).fetchone()
    if row is None:
        raise RuntimeError("EXPLAIN returned no plan")
    plan: Mapping[str, object] = row[0][0]["Plan"]
    return plan


def plan_nodes(plan: Mapping[str, object]) -> Iterator[Mapping[str, object]]:
    """Every node of a JSON plan, the root first (InitPlans and SubPlans included)."""
    yield plan
    children = plan.get("Plans")
    if isinstance(children, list):
        for child in children:
            yield from plan_nodes(child)


def seq_scanned_tables(conn: psycopg.Connection, sql: str, params: Params) -> list[str]:
    """Tables the plan reads with a Seq Scan (InitPlans and SubPlans included)."""
    return sorted(
        {
            str(node.get("Relation Name"))
            for node in plan_nodes(explain_json(conn, sql, params))
            if node.get("Node Type") == "Seq Scan"
        }
    )


_SEQ_SCAN = re.compile(r"Seq Scan on (?:\w+\.)?(\w+)")
_AUTO_EXPLAIN = {
    "auto_explain.log_min_duration": "0",
    "auto_explain.log_nested_statements": "on",
    "auto_explain.log_analyze": "on",
    "auto_explain.log_level": "notice",
}
# Marks statements of our own, whose plans auto_explain reports too (a statement's report can
# arrive while the next one runs): only the plans of what ran inside functions are kept.
_OURS = "/* aimodels bench */ "


def nested_plans(
    superuser: psycopg.Connection,
    enter: Callable[[psycopg.Connection], None],
    sql: str,
    params: Params,
    *,
    buffers: bool = False,
) -> list[str]:
    """The plans of the statements a query runs inside functions (an RPC's own queries, which
    EXPLAIN shows as one Function Scan), as auto_explain reports them to the client, with
    each node's buffers when asked.

    `superuser` must be a superuser's connection in autocommit mode (auto_explain's settings
    are superuser-only); `enter` takes on the caller's role and claims in the same
    transaction, so the policies apply as they do behind the API.
    """
    logged: list[str] = []

    def keep(notice: psycopg.errors.Diagnostic) -> None:
        text = notice.message_primary or ""
        if "plan:" in text and _OURS not in text:
            logged.append(text.split("plan:", 1)[1].strip("\n"))

    with superuser.transaction():
        superuser.execute("load 'auto_explain'")
        settings = {**_AUTO_EXPLAIN, "auto_explain.log_buffers": "on" if buffers else "off"}
        for name, value in settings.items():
            superuser.execute("select set_config(%s, %s, true)", (name, value))
        enter(superuser)
        superuser.execute(_OURS + "select 1")  # the reports of the statements above arrive
        superuser.add_notice_handler(keep)
        try:
            superuser.execute(_OURS + sql, params).fetchall()
            superuser.execute(_OURS + "select 1")
        finally:
            superuser.remove_notice_handler(keep)
    return logged


def seq_scanned_in(plan_texts: list[str]) -> list[str]:
    """Tables text-format plans read with a Seq Scan (Parallel Seq Scan included)."""
    return sorted({table for text in plan_texts for table in _SEQ_SCAN.findall(text)})


def the_plan_reading(plan_texts: list[str], table: str = USAGE_TABLE) -> str:
    """The one plan among a function's statements that reads `table`.

    Raises LookupError when none does, or more than one (the plan under test is then not the
    one the caller means)."""
    reading = [text for text in plan_texts if table in text]
    if len(reading) != 1:
        raise LookupError(f"{len(reading)} plans read {table}:\n" + "\n\n".join(plan_texts))
    return reading[0]
