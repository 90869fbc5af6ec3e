"""What a benchmark run left of its writers in the `tiny` bench database."""

from __future__ import annotations

from datetime import datetime

import psycopg

from aimodels.bench.database import BenchDatabase
from aimodels.bench.scales import Scale, Shape
from aimodels.stack.local_stack import LocalStack


def writers_left_since(local_stack: LocalStack, since: datetime) -> tuple[int, int, int]:
    """Writers' organizations, auth users and retired profiles made since `since`."""
    database = BenchDatabase(local_stack, Scale.TINY, Shape.WIDE)
    with psycopg.connect(database.owner_url) as conn:
        row = conn.execute(
            "select (select count(*) from public.organizations"
            "        where slug like 'bench-writers-%%' and created_at >= %(since)s),"
            " (select count(*) from auth.users"
            "  where email like 'writer-%%@bench.example.test' and created_at >= %(since)s),"
            " (select count(*) from public.profiles where deleted_at >= %(since)s)",
            {"since": since},
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])
