"""Recording, holding and settling with no rules, sent as they are sent: the floor under
the rules' cost.

The concurrency benchmark's target sets record_usage(), and a hold with its settlement,
against the owner's bare INSERT, which leaves out what any call through the API costs: the
message (BEGIN, the role's settings and the claims, COMMIT), the role switch and a function
call. These calls keep all of that and drop the rules. Definer functions, created in the
throwaway bench database only and dropped after the benchmark, write the rows the real ones
write (the caller's organization, the model's name and window; a hold's expiry, then its
settlement and its usage row) into copies of the log and of the holds that have their
columns, defaults, checks and indexes but no trigger, policy or foreign key. What a call
costs above its rule-free twin is what the rules cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from aimodels.bench.recording import SERVICE_HOLDS, USER_ROLE

SCHEMA = "bench_rule_free"
RULE_FREE_RECORD = f"select * from {SCHEMA}.record_usage(model_id => %s, tokens_used => %s)"
# The model access service's very statements, calling the rule-free functions instead.
RULE_FREE_HOLDS = SERVICE_HOLDS.calling(SCHEMA)

# Each function has its twin's settings and builds its result with the same helper (the
# copies' rows have the real rows' types: same columns, same order); a receipt has nothing
# left to report (no limit was read).
_CREATE = """
create schema bench_rule_free;
create table bench_rule_free.ai_model_usage
  (like public.ai_model_usage including defaults including constraints including indexes);
create table bench_rule_free.usage_reservations (
  like public.usage_reservations
  including defaults including constraints including indexes including generated
);
create function bench_rule_free.record_usage(model_id uuid, tokens_used integer)
returns public.usage_receipt
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = auto
as $$
declare
  recorded public.ai_model_usage;
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
  return private.usage_receipt(recorded);
end;
$$;

create function bench_rule_free.reserve_usage(
  model_id uuid, max_tokens integer, requests_count integer default 1,
  idempotency_key text default null
)
returns public.usage_hold
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = auto
as $$
declare
  hold public.usage_reservations;
begin
  insert into bench_rule_free.usage_reservations (
    user_id, organization_id, model_id, tokens_held, requests_count, idempotency_key, expires_at
  )
  select p.id, p.organization_id, reserve_usage.model_id, reserve_usage.max_tokens,
    reserve_usage.requests_count, reserve_usage.idempotency_key,
    now() + private.usage_hold_ttl()
  from public.profiles p
  where p.id = auth.uid()
  returning * into hold;
  return private.hold_result(hold, false);
end;
$$;

-- The hold is locked and changed as settle_usage() does; whose it is goes unchecked.
create function bench_rule_free.settle_usage(reservation_id uuid, tokens_used integer)
returns public.usage_receipt
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = auto
as $$
declare
  hold public.usage_reservations;
  recorded public.ai_model_usage;
  new_usage_id uuid := private.time_ordered_uuid();
begin
  select * into hold from bench_rule_free.usage_reservations r
  where r.id = settle_usage.reservation_id
  for update;
  update bench_rule_free.usage_reservations r
  set status = 'settled', ended_at = now(), usage_id = new_usage_id,
    tokens_settled = settle_usage.tokens_used
  where r.id = hold.id;
  insert into bench_rule_free.ai_model_usage
    (id, user_id, organization_id, model_id, model_name, tokens_used, requests_count,
     period_start, period_end, period_type)
  select new_usage_id, hold.user_id, hold.organization_id, m.id, m.name,
    settle_usage.tokens_used, hold.requests_count, w.period_start, w.period_end,
    m.token_limit_period
  from public.ai_models_system m
  cross join lateral private.period_window(m.token_limit_period, now()) w
  where m.id = hold.model_id
  returning * into recorded;
  return private.usage_receipt(recorded);
end;
$$;
"""

_GRANT = (
    "grant usage on schema bench_rule_free to {role};"
    " grant execute on all functions in schema bench_rule_free to {role}"
)
_DROP = "drop schema if exists bench_rule_free cascade"


@contextmanager
def rule_free_calls(owner_url: str) -> Iterator[None]:
    """RULE_FREE_RECORD and RULE_FREE_HOLDS are callable by a plain user while this lasts;
    everything it made, and every row written through them, is dropped when it ends."""
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(_DROP)  # left by a run that was killed
        conn.execute(_CREATE)
        conn.execute(sql.SQL(_GRANT).format(role=sql.Identifier(USER_ROLE)))
    try:
        yield
    finally:
        with psycopg.connect(owner_url, autocommit=True) as conn:
            conn.execute(_DROP)
