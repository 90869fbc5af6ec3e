"""usage_report through the API: for a superadmin, an admin and a user, on the same data, its
totals equal the raw rows that role reads, summed here; and the command line reports for
every role, superadmins across organizations."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgrest import SyncSelectRequestBuilder

from aimodels.client import AIModelsClient, InvalidInput
from aimodels.client.reports import usage_report
from aimodels.client.rows import fetch_pages
from aimodels.domain import UsageGrouping, UsageRecord
from aimodels.stack.state import StackInfo
from tests.integration.support import PASSWORD, cli_runner

pytestmark = pytest.mark.stack

# Who records in the generated data: two orgs, so an admin's and a user's scopes differ.
RECORDERS = [
    "user1@bright-visas.example.test",
    "user2@bright-visas.example.test",
    "user1@pulse-health.example.test",
]
READERS = ["superadmin@example.test", "admin@bright-visas.example.test", RECORDERS[0]]
MODELS = [
    UUID("00000000-0000-0000-0003-000000000002"),  # Immigration Case Assistant
    UUID("00000000-0000-0000-0003-000000000004"),  # General Writing Assistant
    UUID("00000000-0000-0000-0003-000000000006"),  # Clinical Notes Summariser
]
NOW = datetime.now(UTC)

usage_rows = st.lists(
    st.tuples(
        st.sampled_from(RECORDERS),
        st.sampled_from(MODELS),
        st.integers(min_value=1, max_value=5000),
        st.integers(min_value=1, max_value=20),
        st.integers(min_value=0, max_value=40),  # days ago
    ),
    min_size=1,
    max_size=8,
)
ranges = st.tuples(
    st.none() | st.integers(min_value=0, max_value=45), st.none() | st.integers(0, 45)
)


@pytest.fixture(scope="module")
def owner(db: StackInfo) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db.db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def readers(db: StackInfo) -> dict[str, AIModelsClient]:
    clients = {}
    for email in READERS:
        client = AIModelsClient.connect(db.api_url, db.anon_key)
        client.sign_in(email, PASSWORD)
        clients[email] = client
    return clients


def _append(owner: psycopg.Connection, rows: list[tuple[str, UUID, int, int, int]]) -> None:
    """Rows on past days too: loaded as the platform does a bulk load (admission off, which
    also keeps the limits out of the way); the log stays append-only."""
    with owner.transaction():
        owner.execute("set local session_replication_role = replica")
        for email, model, tokens, requests_count, days_ago in rows:
            owner.execute(
                "insert into public.ai_model_usage (user_id, organization_id, model_id,"
                " model_name, tokens_used, requests_count, period_start, period_end,"
                " period_type, created_at)"
                " select p.id, p.organization_id, m.id, m.name, %s, %s, w.period_start,"
                " w.period_end, m.token_limit_period, now() - make_interval(days => %s)"
                " from auth.users u join public.profiles p on p.id = u.id,"
                " public.ai_models_system m,"
                " private.period_window(m.token_limit_period, now()) w"
                " where u.email = %s and m.id = %s",
                (tokens, requests_count, days_ago, email, model),
            )


def _raw_rows(
    client: AIModelsClient, since: datetime | None, until: datetime | None
) -> list[UsageRecord]:
    """Every usage row the signed-in role reads, paged through the API."""

    def request() -> SyncSelectRequestBuilder:
        query = client.api.table("ai_model_usage").select("*")
        if since is not None:
            query = query.gte("created_at", since.isoformat())
        if until is not None:
            query = query.lt("created_at", until.isoformat())
        return query.order("id")

    return fetch_pages(request, UsageRecord)


def _key(by: UsageGrouping, row: UsageRecord) -> tuple[object, ...]:
    day = row.created_at.astimezone(UTC).date() if row.created_at else None
    return {
        UsageGrouping.MODEL: (None, row.model_id, None, None),
        UsageGrouping.USER: (None, None, row.user_id, None),
        UsageGrouping.DAY: (None, None, None, day),
        UsageGrouping.MODEL_USER: (None, row.model_id, row.user_id, None),
        UsageGrouping.ORG: (row.organization_id, None, None, None),
    }[by]


@given(rows=usage_rows, window=ranges, by=st.sampled_from(UsageGrouping))
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_report_equals_raw_sums_for_every_role(
    owner: psycopg.Connection,
    readers: dict[str, AIModelsClient],
    rows: list[tuple[str, UUID, int, int, int]],
    window: tuple[int | None, int | None],
    by: UsageGrouping,
) -> None:
    _append(owner, rows)
    since = NOW - timedelta(days=window[0]) if window[0] is not None else None
    until = NOW + timedelta(days=1) - timedelta(days=window[1]) if window[1] is not None else None
    if since is not None and until is not None and since > until:
        since, until = until, since
    for email, client in readers.items():
        raw = _raw_rows(client, since, until)
        tokens: Counter[tuple[object, ...]] = Counter()
        requests: Counter[tuple[object, ...]] = Counter()
        records: Counter[tuple[object, ...]] = Counter()
        for row in raw:
            tokens[_key(by, row)] += row.tokens_used
            requests[_key(by, row)] += row.requests_count
            records[_key(by, row)] += 1
        report = usage_report(client.api, by, since, until)
        got = {
            (line.organization_id, line.model_id, line.user_id, line.day): (
                line.tokens,
                line.requests,
                line.records,
            )
            for line in report
        }
        want = {key: (tokens[key], requests[key], records[key]) for key in tokens}
        assert got == want, f"{email}: usage_report({by}) differs from the raw sums"
        assert len(report) == len(got), f"{email}: one line per group"


def test_the_roles_read_different_scopes(readers: dict[str, AIModelsClient]) -> None:
    """The property above is not vacuous: each reader's report covers a different set."""
    orgs = {
        email: {line.organization_name for line in usage_report(client.api, UsageGrouping.ORG)}
        for email, client in readers.items()
    }
    assert orgs["admin@bright-visas.example.test"] == {"Bright Visas"}
    assert orgs[RECORDERS[0]] == {"Bright Visas"}
    assert len(orgs["superadmin@example.test"]) == 5
    users = {line.user_id for line in usage_report(readers[RECORDERS[0]].api, UsageGrouping.USER)}
    assert users == {readers[RECORDERS[0]].actor.user_id}


def test_an_unknown_grouping_is_refused_by_the_database(
    readers: dict[str, AIModelsClient],
) -> None:
    with pytest.raises(InvalidInput, match="group_by must be one of") as refused:
        usage_report(readers[READERS[0]].api, "week")  # type: ignore[arg-type]
    assert refused.value.code == "AM009"


@pytest.mark.parametrize(
    ("email", "orgs"),
    [
        ("superadmin@example.test", 5),
        ("admin@bright-visas.example.test", 1),
        ("user1@bright-visas.example.test", 1),
    ],
)
def test_every_role_reports_by_org_from_the_command_line(
    db: StackInfo, tmp_path: object, email: str, orgs: int
) -> None:
    run = cli_runner(db, str(tmp_path))
    result = run(email, "usage", "report", "--by", "org", "--period", "all", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == orgs


def test_admin_limit_answers_the_effective_limit(db: StackInfo, tmp_path: object) -> None:
    run = cli_runner(db, str(tmp_path))
    admin = "admin@bright-visas.example.test"
    limited = run(admin, "admin", "limit", "Immigration Case Assistant", "--tokens", "30000")
    assert limited.exit_code == 0, limited.output
    assert "effective limit: 30000 tokens per user per weekly period" in limited.stdout
    cleared = run(admin, "admin", "limit", "Immigration Case Assistant", "--clear")
    assert "effective limit: 50000 tokens per user per weekly period" in cleared.stdout


@pytest.mark.parametrize(
    ("model", "tokens", "reason"),
    [
        ("General Writing Assistant", "100", "free models have no token limits"),
        ("Immigration Case Assistant", "1000000", "use at most 50000"),
    ],
)
def test_a_limit_that_could_never_apply_is_refused(
    db: StackInfo,
    readers: dict[str, AIModelsClient],
    tmp_path: object,
    model: str,
    tokens: str,
    reason: str,
) -> None:
    run = cli_runner(db, str(tmp_path))
    admin = readers["admin@bright-visas.example.test"].org_admin()
    before = admin.find_model(model)
    refused = run("admin@bright-visas.example.test", "admin", "limit", model, "--tokens", tokens)
    assert refused.exit_code == 2, refused.output
    assert reason in refused.stderr and "[AM006]" in refused.stderr
    assert admin.find_model(model) == before, "a refused limit changes nothing"
