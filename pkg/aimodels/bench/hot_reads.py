"""The hot reads, each as the API runs it (RLS) and as the owner would by hand.

The owner's query writes the policy's meaning as a plain predicate for that one actor; its
time is the limit the RLS version is measured against. Both get the same parameters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from aimodels.bench.loader import SeedInfo
from aimodels.domain.rules import period_window


@dataclass(frozen=True)
class HotRead:
    name: str
    actor: str  # an Actor label of the seeded data
    rls_sql: str
    owner_sql: str


_MODEL_COLUMNS = (
    "m.id, m.name, m.required_plan, m.token_limit_period, m.token_limit_amount, m.is_free, "
    "m.is_trial"
)

# A user's usable models by hand: visible to the org, enabled there, trial not over.
_USABLE_BY_HAND = """
from public.profiles p
join public.organizations o on o.id = p.organization_id
join public.org_system_model_config c
  on c.organization_id = o.id and c.is_enabled_for_users
join public.ai_models_system m on m.id = c.system_model_id
left join private.org_model_first_enabled f
  on f.organization_id = o.id and f.system_model_id = m.id
where p.id = %(user_id)s
  and m.is_active
  and (m.organization_types = '{}' or o.type = any (m.organization_types))
  and private.plan_rank(o.pricing_plan) >= private.plan_rank(m.required_plan)
  and not coalesce(
    m.is_trial and f.first_enabled_at + make_interval(days => m.trial_expires_days) <= now(),
    false)
order by m.is_featured desc, m.sort_order, m.name"""

# Everybody's day, as the owner reads it: by created_at alone.
_DAY_ACROSS_ORGS_BY_HAND = """
select u.organization_id, u.model_id, sum(u.tokens_used) as tokens
from public.ai_model_usage u
where u.created_at >= %(day_start)s and u.created_at < %(day_end)s
group by u.organization_id, u.model_id
order by u.organization_id, u.model_id"""


def _first_page(column: str, window: str) -> str:
    """Usage rows as the client asks for them (client/usage_rows.py): one column equal to
    the caller's id or organization, a window, by date, a page of 1000."""
    return f"""
select u.*
from public.ai_model_usage u
where u.{column} = %({column})s
  and u.created_at >= %({window}_start)s
  and u.created_at < %({window}_end)s
order by u.created_at, u.id
limit 1000"""


def _first_page_by_rpc(function: str, window: str) -> str:
    """The same page through the API's paged function, as the client asks for it."""
    return f"""
select r.*
from public.{function}(
  since => %({window}_start)s, until => %({window}_end)s, max_rows => 1000) r"""


_OWN_ROWS_FIRST_PAGE = _first_page("user_id", "period")
_ORG_ROWS_FIRST_PAGE = _first_page("organization_id", "month")

HOT_READS: tuple[HotRead, ...] = (
    HotRead(
        name="user: usable models (table)",
        actor="user",
        rls_sql=f"""
select {_MODEL_COLUMNS}
from public.ai_models_system m
order by m.is_featured desc, m.sort_order, m.name""",
        owner_sql=f"select {_MODEL_COLUMNS}{_USABLE_BY_HAND}",
    ),
    HotRead(
        name="user: usable models (rpc usable_models)",
        actor="user",
        rls_sql="select u.id, u.name from public.usable_models() u",
        owner_sql=f"select m.id, m.name{_USABLE_BY_HAND}",
    ),
    HotRead(
        name="admin: visible models with enablement",
        actor="admin",
        rls_sql="""
select m.id, m.name, c.is_enabled_for_users, c.token_limit_per_user
from public.ai_models_system m
left join public.org_system_model_config c on c.system_model_id = m.id
order by m.sort_order, m.name""",
        owner_sql="""
select m.id, m.name, c.is_enabled_for_users, c.token_limit_per_user
from public.organizations o
join public.ai_models_system m
  on m.is_active
 and (m.organization_types = '{}' or o.type = any (m.organization_types))
 and private.plan_rank(o.pricing_plan) >= private.plan_rank(m.required_plan)
left join public.org_system_model_config c
  on c.system_model_id = m.id and c.organization_id = o.id
where o.id = %(organization_id)s
order by m.sort_order, m.name""",
    ),
    HotRead(
        name="user: own usage this period",
        actor="user",
        rls_sql="""
select u.model_id, sum(u.tokens_used) as tokens, sum(u.requests_count) as requests
from public.ai_model_usage u
where u.created_at >= %(period_start)s
  and u.created_at < %(period_end)s
group by u.model_id
order by u.model_id""",
        owner_sql="""
select u.model_id, sum(u.tokens_used) as tokens, sum(u.requests_count) as requests
from public.ai_model_usage u
where u.user_id = %(user_id)s
  and u.created_at >= %(period_start)s
  and u.created_at < %(period_end)s
group by u.model_id
order by u.model_id""",
    ),
    HotRead(
        # The client's request for a user's history (client/usage_rows.py), first page.
        name="user: own usage rows this period, first page (rpc own_usage_rows)",
        actor="user",
        rls_sql=_first_page_by_rpc("own_usage_rows", "period"),
        owner_sql=_OWN_ROWS_FIRST_PAGE,
    ),
    HotRead(
        # The same page from the table, filtered as a client would: the policy's arms then
        # multiply the filter's estimate (BENCHMARKS.md).
        name="user: own usage rows this period, first page (table, by own id)",
        actor="user",
        rls_sql=_OWN_ROWS_FIRST_PAGE,
        owner_sql=_OWN_ROWS_FIRST_PAGE,
    ),
    HotRead(
        # The client's request for the organization's rows (client/org_admin.py, usage()).
        name="admin: org usage rows this month, first page (rpc org_usage_rows)",
        actor="admin",
        rls_sql=_first_page_by_rpc("org_usage_rows", "month"),
        owner_sql=_ORG_ROWS_FIRST_PAGE,
    ),
    HotRead(
        name="admin: org usage rows this month, first page (table, by own organization)",
        actor="admin",
        rls_sql=_ORG_ROWS_FIRST_PAGE,
        owner_sql=_ORG_ROWS_FIRST_PAGE,
    ),
    HotRead(
        name="admin: org usage by model and user, one month",
        actor="admin",
        rls_sql="""
select u.model_id, u.user_id, sum(u.tokens_used) as tokens, sum(u.requests_count) as requests
from public.ai_model_usage u
where u.created_at >= %(month_start)s and u.created_at < %(month_end)s
group by u.model_id, u.user_id
order by u.model_id, u.user_id""",
        owner_sql="""
select u.model_id, u.user_id, sum(u.tokens_used) as tokens, sum(u.requests_count) as requests
from public.ai_model_usage u
where u.organization_id = %(organization_id)s
  and u.created_at >= %(month_start)s and u.created_at < %(month_end)s
group by u.model_id, u.user_id
order by u.model_id, u.user_id""",
    ),
    HotRead(
        name="superadmin: usage across all orgs, one day",
        actor="superadmin",
        rls_sql="""
select u.organization_id, u.model_id, sum(u.tokens_used) as tokens
from public.ai_model_usage u
where u.created_at >= %(day_start)s and u.created_at < %(day_end)s
group by u.organization_id, u.model_id
order by u.organization_id, u.model_id""",
        owner_sql=_DAY_ACROSS_ORGS_BY_HAND,
    ),
    HotRead(
        name="superadmin: usage across all orgs, one day (rpc usage_across_orgs)",
        actor="superadmin",
        rls_sql="""
select r.organization_id, r.model_id, r.tokens
from public.usage_across_orgs(%(day_start)s, %(day_end)s) r""",
        owner_sql=_DAY_ACROSS_ORGS_BY_HAND,
    ),
    HotRead(
        name="admin: usage_report by user, one month",
        actor="admin",
        rls_sql="""
select r.user_id, r.user_name, r.tokens, r.requests, r.records
from public.usage_report('user', %(month_start)s, %(month_end)s) r""",
        # Totals first, then one name per user; the report's own order: display name, then
        # id (nulls last).
        owner_sql="""
select g.user_id, p.display_name, g.tokens, g.requests, g.records
from (
  select u.user_id, sum(u.tokens_used)::bigint as tokens,
    sum(u.requests_count)::bigint as requests, count(*)::bigint as records
  from public.ai_model_usage u
  where u.organization_id = %(organization_id)s
    and u.created_at >= %(month_start)s and u.created_at < %(month_end)s
  group by u.user_id
) g
left join public.profiles p on p.id = g.user_id
order by p.display_name, g.user_id""",
    ),
)


PERIOD_SO_FAR = timedelta(days=15)


@dataclass(frozen=True)
class HistoryWindows:
    """The reads' windows: a period half gone, the last full month and the last full day."""

    period_start: datetime
    period_end: datetime
    month_start: datetime
    month_end: datetime
    day_start: datetime
    day_end: datetime


def history_windows(anchor: datetime) -> HistoryWindows:
    """The windows at the seed's anchor, where its history ends (UTC), not at the clock: the
    database is seeded once and run many times, and every recording benchmark adds rows when
    it runs. So every window holds seeded rows only, and each run reads the same.
    "This period" is the seeded history's last PERIOD_SO_FAR, a monthly period half gone
    whatever the date: the calendar month so far held 5 of a user's rows when seeded on the
    1st and about 200 on the 30th, and a read of 5 rows measures the statement's fixed costs
    where one of 200 measures the policy's per-row work. The month and the day are taken at
    the last seeded instant: seeded in a month's first hour (the anchor is the hour's start),
    they are the month and the day just ended."""
    last_seeded = anchor - timedelta(microseconds=1)
    this_month = period_window("monthly", last_seeded)
    last_month = period_window("monthly", this_month.start - timedelta(days=1))
    today = period_window("daily", last_seeded)
    return HistoryWindows(
        period_start=anchor - PERIOD_SO_FAR,
        period_end=anchor,
        month_start=last_month.start,
        month_end=last_month.end,
        day_start=today.start - timedelta(days=1),
        day_end=today.start,
    )


def hot_read_params(seed_info: SeedInfo, actor: str) -> dict[str, object]:
    """The actor's ids and the seeded history's windows (history_windows)."""
    who = seed_info.actor(actor)
    return {
        "user_id": who.user_id,
        "organization_id": who.organization_id,
        **asdict(history_windows(seed_info.anchor)),
    }
