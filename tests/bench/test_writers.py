"""The writing benchmarks' accounts leave the database as they found it.

A benchmark's writers are removed with everything they wrote: usage rows through every
path (a recording, a settled hold, a bare INSERT with the triggers skipped), holds, window
counters, profiles, auth users and organizations. The log's append-only trigger, switched
off for that one transaction, fires always again afterwards.
"""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from aimodels.bench.recording import HoldSession, RecordingSession
from aimodels.bench.writers import bench_writers
from aimodels.stack.local_stack import LocalStack
from aimodels.stack.state import StackInfo

pytestmark = pytest.mark.stack

_CENSUS = """
select
  (select count(*) from public.ai_model_usage),
  (select count(*) from public.usage_reservations),
  (select count(*) from private.usage_period_totals),
  (select count(*) from public.profiles),
  (select count(*) from auth.users),
  (select count(*) from public.organizations),
  (select count(*) from public.org_system_model_config),
  (select t.tgenabled from pg_catalog.pg_trigger t
   where t.tgname = 'ai_model_usage_append_only')
"""

# The writers' organizations are enterprise and of type software.
_MODEL = """
select m.id from public.ai_models_system m
where m.is_active and not m.is_trial
  and (m.organization_types = '{}' or 'software' = any (m.organization_types))
order by m.name limit 1
"""

_BARE_INSERT = """
insert into public.ai_model_usage (user_id, organization_id, model_id, model_type, model_name,
  tokens_used, requests_count, period_start, period_end, period_type)
select %s, %s, m.id, 'system', m.name, 3, 1, now() - interval '1 day', now() + interval '1 day',
  'daily'
from public.ai_models_system m where m.id = %s
"""


def _census(url: str) -> tuple[object, ...]:
    with psycopg.connect(url) as conn:
        row = conn.execute(_CENSUS).fetchone()
    assert row is not None
    return tuple(row)


def test_removal_takes_away_everything_the_writers_wrote(
    fresh_db: StackInfo, local_stack: LocalStack
) -> None:
    url = fresh_db.db_url
    before = _census(url)
    with psycopg.connect(url) as conn:
        row = conn.execute(_MODEL).fetchone()
    assert row is not None
    model = uuid.UUID(str(row[0]))

    with bench_writers(url) as pool:
        recorder, holder = pool.provision(count=2, model=model, limit_per_user=1_000_000)
        with psycopg.connect(local_stack.cluster.url("authenticator"), autocommit=True) as api:
            assert RecordingSession(api, json.dumps(recorder.actor.claims())).spend(model, 5)
            holds = HoldSession(api, json.dumps(holder.actor.claims()))
            assert holds.spend(model, 7)
        with psycopg.connect(url) as owner:
            owner.execute("set session_replication_role = replica")
            owner.execute(_BARE_INSERT, (recorder.actor.user_id, recorder.organization_id, model))
        during = _census(url)
        assert during[0] == before[0] + 3  # recorded, settled, bare
        assert during[1:3] == (before[1] + 1, before[2] + 2)  # a hold; two window counters

    assert _census(url) == before
    assert before[-1] == "A"  # the append-only trigger fires always, as before


def test_the_log_refuses_deletes_again_after_a_removal(fresh_db: StackInfo) -> None:
    with bench_writers(fresh_db.db_url):
        pass
    with psycopg.connect(fresh_db.db_url) as conn, pytest.raises(psycopg.Error) as refused:
        conn.execute("delete from public.ai_model_usage")
    assert refused.value.sqlstate == "AM007"
