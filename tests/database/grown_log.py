"""A usage log grown to a busy window inside a test's transaction, and analyzed, so plans
are made as they are on a log of real size (the seed holds a few dozen rows)."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

ROWS = 100_000
DAYS = 60

# Every member's rows, spread evenly over the days before `until`. Written as the owner
# with triggers off (the bench loader's way): admission is not what is tested here.
_GROW_USAGE = """
with members as (
  select array_agg(id order by id) as ids, array_agg(organization_id order by id) as orgs
  from public.profiles where organization_id is not null
), models as (
  select array_agg(id order by id) as ids, array_agg(name order by id) as names
  from public.ai_models_system
)
insert into public.ai_model_usage (
  user_id, organization_id, model_id, model_name, tokens_used,
  period_start, period_end, period_type, created_at)
select
  m.ids[1 + g %% cardinality(m.ids)], m.orgs[1 + g %% cardinality(m.ids)],
  s.ids[1 + g %% cardinality(s.ids)], s.names[1 + g %% cardinality(s.ids)], 100,
  %(until)s - make_interval(days => %(days)s), %(until)s, 'monthly',
  %(until)s - g * make_interval(days => %(days)s) / %(rows)s - interval '1 second'
from members m, models s, generate_series(1, %(rows)s) g
"""

# The seed has a dozen members; at scale a caller's id is one of 100,000, and the planner
# prices a comparison with it by that count.
_LARGE_SCALE_COUNTS = """
alter table public.ai_model_usage
  alter column user_id set (n_distinct = 100000),
  alter column organization_id set (n_distinct = 10000)
"""

_INDEX_COLUMNS = """
select c.relname, array_agg(a.attname order by k.ord)
from pg_index i
join pg_class c on c.oid = i.indexrelid
cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
where i.indrelid = 'public.ai_model_usage'::regclass
group by c.relname
"""


def midnight() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def grow_log(
    conn: psycopg.Connection, until: datetime, *, large_scale_counts: bool = True
) -> dict[str, list[str]]:
    """Grow the log inside the caller's transaction (superuser) and analyze it, counting
    users and organizations as at the bench's large scale unless told not to; the log's
    indexes and their columns."""
    conn.execute("set local session_replication_role = replica")
    conn.execute(_GROW_USAGE, {"until": until, "rows": ROWS, "days": DAYS})
    conn.execute("set local session_replication_role = origin")
    if large_scale_counts:
        conn.execute(_LARGE_SCALE_COUNTS)
    conn.execute("analyze public.ai_model_usage")
    return dict(conn.execute(_INDEX_COLUMNS).fetchall())
