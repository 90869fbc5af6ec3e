"""EXPLAIN helpers: the plan as text for people, and whether it seq-scans a table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import psycopg

Params = Mapping[str, object]

# The log no plan may read sequentially (the benchmarks' gate, BENCHMARKS.md).
USAGE_TABLE = "ai_model_usage"


def explain_text(conn: psycopg.Connection, sql: str, params: Params) -> str:
    rows = conn.execute(f"explain (analyze, buffers) {sql}", params).fetchall()
    return "\n".join(str(row[0]) for row in rows)


def _nodes(plan: Mapping[str, object]) -> Iterator[Mapping[str, object]]:
    yield plan
    children = plan.get("Plans")
    if isinstance(children, list):
        for child in children:
            yield from _nodes(child)


def seq_scanned_tables(conn: psycopg.Connection, sql: str, params: Params) -> list[str]:
    """Tables the plan reads with a Seq Scan (InitPlans and SubPlans included)."""
    row = conn.execute(f"explain (format json) {sql}", params).fetchone()
    if row is None:
        return []
    document = row[0][0]
    return sorted(
        {
            str(node.get("Relation Name"))
            for node in _nodes(document["Plan"])
            if node.get("Node Type") == "Seq Scan"
        }
    )
