"""The Python rules (aimodels.domain.rules) and the database's rule functions give the same
answers on the same inputs, so what clients show can never drift from what is enforced.

This file alone talks to Postgres directly (as superuser, each example rolled back): it
tests the database's private functions, which the API deliberately does not expose.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimodels.client import AIModelsClient, TrialExpired
from aimodels.domain import (
    LimitPeriod,
    ModelDraft,
    Organization,
    OrgType,
    PricingPlan,
    SystemModel,
    is_visible_to_org,
    period_window,
    plan_rank,
    trial_end,
    user_token_limit,
)
from aimodels.stack.state import StackInfo

pytestmark = pytest.mark.stack

EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
limits = st.none() | st.integers(min_value=0, max_value=10**12)
org_types = st.sampled_from(OrgType)


@pytest.fixture
def db(stack: StackInfo) -> Iterator[psycopg.Connection]:
    with psycopg.connect(stack.db_url, autocommit=True) as connection:
        yield connection


def _scalar(db: psycopg.Connection, sql: str, *params: object) -> object:
    row = db.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


@given(plan=st.sampled_from(PricingPlan))
@EXAMPLES
def test_plan_rank_matches(db: psycopg.Connection, plan: PricingPlan) -> None:
    assert _scalar(db, "select private.plan_rank(%s)", plan.value) == plan_rank(plan)


def test_org_types_are_the_database_vocabulary(db: psycopg.Connection) -> None:
    slugs = _scalar(db, "select private.organization_type_slugs()")
    assert isinstance(slugs, list) and sorted(slugs) == sorted(t.value for t in OrgType)


@given(period=st.sampled_from(LimitPeriod), at=moments)
@EXAMPLES
def test_period_window_matches(db: psycopg.Connection, period: LimitPeriod, at: datetime) -> None:
    row = db.execute(
        "select period_start, period_end from private.period_window(%s, %s)", (period.value, at)
    ).fetchone()
    window = period_window(period, at)
    assert row == (window.start, window.end)


def _insert_org(db: psycopg.Connection, org_type: OrgType, plan: PricingPlan) -> Organization:
    org = Organization(
        id=uuid4(),
        name="Prop Org",
        slug=f"prop-{uuid4().hex[:12]}",
        type=org_type,
        pricing_plan=plan,
    )
    db.execute(
        "insert into public.organizations (id, slug, name, type, pricing_plan)"
        " values (%s, %s, %s, %s, %s)",
        (org.id, org.slug, org.name, org.type.value, org.pricing_plan.value),
    )
    return org


def _insert_model(db: psycopg.Connection, **fields: object) -> SystemModel:
    model = SystemModel.model_validate({"id": uuid4(), "name": f"prop {uuid4().hex}", **fields})
    db.execute(
        "insert into public.ai_models_system (id, name, organization_types, required_plan,"
        " is_active, is_free, token_limit_amount, is_trial, trial_expires_days)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            model.id,
            model.name,
            [t.value for t in model.organization_types],
            model.required_plan.value,
            model.is_active,
            model.is_free,
            model.token_limit_amount,
            model.is_trial,
            model.trial_expires_days,
        ),
    )
    return model


@given(
    org_type=org_types,
    org_plan=st.sampled_from(PricingPlan),
    targets=st.lists(org_types, max_size=4, unique=True),
    required=st.sampled_from(PricingPlan),
    active=st.booleans(),
)
@EXAMPLES
def test_visibility_matches(
    db: psycopg.Connection,
    org_type: OrgType,
    org_plan: PricingPlan,
    targets: list[OrgType],
    required: PricingPlan,
    active: bool,
) -> None:
    with db.transaction(force_rollback=True):  # examples leave nothing behind
        org = _insert_org(db, org_type, org_plan)
        model = _insert_model(
            db, organization_types=targets, required_plan=required, is_active=active
        )
        in_db = _scalar(db, "select private.is_model_visible_to_org(%s, %s)", org.id, model.id)
        assert in_db == is_visible_to_org(model, org)


@given(model_limit=limits, admin_limit=limits, is_free=st.booleans())
@EXAMPLES
def test_effective_limit_matches(
    db: psycopg.Connection, model_limit: int | None, admin_limit: int | None, is_free: bool
) -> None:
    with db.transaction(force_rollback=True):  # examples leave nothing behind
        org = _insert_org(db, OrgType.SOFTWARE, PricingPlan.ENTERPRISE)
        model = _insert_model(db, token_limit_amount=model_limit, is_free=is_free)
        db.execute(
            "insert into public.org_system_model_config"
            " (organization_id, system_model_id, token_limit_per_user) values (%s, %s, %s)",
            (org.id, model.id, admin_limit),
        )
        in_db = _scalar(db, "select private.effective_user_limit(%s, %s)", org.id, model.id)
        expected = user_token_limit(
            is_free=is_free, model_limit=model_limit, admin_limit=admin_limit
        )
        assert in_db == expected


@given(started=moments, days=st.integers(min_value=1, max_value=3650))
@EXAMPLES
def test_trial_end_matches(db: psycopg.Connection, started: datetime, days: int) -> None:
    with db.transaction(force_rollback=True):  # examples leave nothing behind
        org = _insert_org(db, OrgType.SOFTWARE, PricingPlan.ENTERPRISE)
        model = _insert_model(db, is_trial=True, trial_expires_days=days)
        db.execute(
            "insert into private.org_model_first_enabled"
            " (organization_id, system_model_id, first_enabled_at) values (%s, %s, %s)",
            (org.id, model.id, started),
        )
        in_db = _scalar(db, "select private.trial_end(%s, %s)", org.id, model.id)
        assert in_db == trial_end(started, days)


def test_expired_trial_refuses_usage_and_leaves_usable_models(
    fresh_db: StackInfo, db: psycopg.Connection
) -> None:
    """Trials end by the clock, so the test moves the trial's start back instead of waiting."""

    def signed_in(email: str) -> AIModelsClient:
        client = AIModelsClient.connect(fresh_db.api_url, fresh_db.anon_key)
        client.sign_in(email, "aimodels-dev-password")
        return client

    catalog = signed_in("superadmin@example.test").catalog()
    model = catalog.create_model(
        ModelDraft(
            name=f"Trial {uuid4().hex[:8]}",
            organization_types=["immigration"],
            required_plan="starter",
            is_trial=True,
            trial_expires_days=3,
        )
    )
    admin = signed_in("admin@bright-visas.example.test").org_admin()
    admin.enable_model(model.id)
    user = signed_in("user1@bright-visas.example.test").user()
    assert user.record_usage(model.id, 5).tokens_used == 5
    ends = user.quota_status(model.id).trial_ends_at
    assert ends is not None

    db.execute(
        "update private.org_model_first_enabled set first_enabled_at = %s"
        " where system_model_id = %s",
        (datetime.now(UTC) - timedelta(days=3, seconds=1), model.id),
    )
    with pytest.raises(TrialExpired):
        user.record_usage(model.id, 5)
    assert model.id not in {m.id for m in user.usable_models()}
    # disabling and re-enabling must not restart the trial
    admin.disable_model(model.id)
    admin.enable_model(model.id)
    with pytest.raises(TrialExpired):
        user.record_usage(model.id, 5)
