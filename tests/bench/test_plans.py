"""The plan helpers' pure parts: picking a function's one statement that reads the log."""

from __future__ import annotations

import pytest

from aimodels.bench.plans import the_plan_reading

_PROFILE = "Index Scan using profiles_pkey on profiles p"
_LOG = "Index Scan using ai_model_usage_user_created_id_idx on ai_model_usage u"


def test_the_one_plan_that_reads_the_log_is_picked() -> None:
    assert the_plan_reading([_PROFILE, _LOG, _PROFILE]) == _LOG


@pytest.mark.parametrize("plans", [[_PROFILE], [_LOG, _LOG], []], ids=["none", "two", "empty"])
def test_no_plan_or_several_reading_the_log_is_an_error(plans: list[str]) -> None:
    with pytest.raises(LookupError, match="plans read ai_model_usage"):
        the_plan_reading(plans)


def test_another_table_can_be_named() -> None:
    assert the_plan_reading([_PROFILE, _LOG], "profiles") == _PROFILE
