"""A recording with no rules, sent as a recording is sent: the floor under the rules' cost.

The concurrency benchmark's target sets record_usage() against the owner's bare INSERT,
which leaves out what any call through the API costs: the message (BEGIN, the role's
settings and the claims, COMMIT), the role switch and a function call. This call keeps all
of that and drops the rules. A definer function, created in the throwaway bench database
only and dropped after the benchmark, writes the row a recording writes (the caller's
organization, the model's name and window) into a copy of the log that has the log's
columns, defaults, checks and indexes but no trigger, policy or foreign key. What a
recording costs above this call is what the rules cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from aimodels.bench.recording import USER_ROLE

SCHEMA = "bench_rule_free"
RULE_FREE_RECORD = f"select * from {SCHEMA}.record_usage(model_id => %s, tokens_used => %s)"

# The function has record_usage()'s settings and its receipt, with nothing left to report
# (no limit was read).
_CREATE = """
create schema bench_rule_free;
create table bench_rule_free.ai_model_usage
  (like public.ai_model_usage including defaults including constraints including indexes);
create function bench_rule_free.record_usage(model_id uuid, tokens_used integer)
returns public.usage_receipt
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = auto
as $$
declare
  recorded bench_rule_free.ai_model_usage;
begin
  insert into bench_rule_free.ai_model_usage
    (user_id, organization_id, model_id, model_name, tokens_used, period_start, period_end,
     period_type)
  select p.id, p.organization_id, m.id, m.name, record_usage.tokens_used, w.period_start,
    w.period_end, m.token_limit_period
  from public.profiles p
  join public.ai_models_system m on m.id = record_usage.model_id
  cross join lateral private.period_window(m.token_limit_period, now()) w
  where p.id = auth.uid()
  returning * into recorded;
  return row(
    recorded.id, recorded.user_id, recorded.organization_id, recorded.model_id,
    recorded.model_type, recorded.model_name, recorded.tokens_used, recorded.requests_count,
    recorded.period_start, recorded.period_end, recorded.period_type, recorded.created_at,
    null, null
  )::public.usage_receipt;
end;
$$;
"""

_GRANT = (
    "grant usage on schema bench_rule_free to {role};"
    " grant execute on function bench_rule_free.record_usage(uuid, integer) to {role}"
)
_DROP = "drop schema if exists bench_rule_free cascade"


@contextmanager
def rule_free_recording(owner_url: str) -> Iterator[None]:
    """RULE_FREE_RECORD is callable by a plain user while this lasts; everything it made,
    and every row written through it, is dropped when it ends."""
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(_DROP)  # left by a run that was killed
        conn.execute(_CREATE)
        conn.execute(sql.SQL(_GRANT).format(role=sql.Identifier(USER_ROLE)))
    try:
        yield
    finally:
        with psycopg.connect(owner_url, autocommit=True) as conn:
            conn.execute(_DROP)
