"""Pydantic models at the boundary: readable validation errors, secrets kept secret."""

from __future__ import annotations

from uuid import uuid4

import pytest

from aimodels.domain import (
    InvalidInput,
    ModelDraft,
    ModelPatch,
    SystemModel,
    SystemModelWithKey,
    UsageInput,
)


def _explain(cls: type, **fields: object) -> str:
    """The sentence an input model refuses these fields with (as InvalidInput)."""
    with pytest.raises(InvalidInput) as caught:
        cls.model_validate(fields)
    return caught.value.message


def test_negative_tokens_error_names_field_and_rule() -> None:
    message = _explain(UsageInput, model_id=uuid4(), tokens_used=-5)
    assert message == "tokens_used: must be > 0 (greater_than)"


def test_unknown_org_type_is_rejected() -> None:
    message = _explain(ModelDraft, name="x", organization_types=["solicitor", "astrology"])
    assert message.startswith("organization_types.1: must be one of 'accounting'")


def test_zero_requests_error_names_field_and_rule() -> None:
    message = _explain(UsageInput, model_id=uuid4(), tokens_used=1, requests_count=0)
    assert message == "requests_count: must be >= 1 (greater_than_equal)"


def test_unknown_plan_error_lists_the_plans() -> None:
    message = _explain(ModelDraft, name="x", required_plan="gold")
    assert message.startswith("required_plan: must be one of 'free'")


def test_unknown_field_is_rejected_by_name() -> None:
    assert _explain(ModelDraft, name="x", colour="red") == (
        "colour: is not a known field (extra_forbidden)"
    )


def test_trial_without_days_is_rejected() -> None:
    assert _explain(ModelDraft, name="x", is_trial=True) == (
        "trial_expires_days: required when is_trial is true"
    )


def test_patch_sends_only_the_fields_set() -> None:
    assert ModelPatch(is_featured=True, sort_order=3).to_payload() == {
        "is_featured": True,
        "sort_order": 3,
    }


def test_patch_can_clear_a_field_explicitly() -> None:
    assert ModelPatch(token_limit_amount=None).to_payload() == {"token_limit_amount": None}


def test_api_key_is_hidden_from_repr_and_json() -> None:
    model = SystemModelWithKey(id=uuid4(), name="m", api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(model)
    assert "sk-very-secret" not in model.model_dump_json()
    assert model.api_key is not None and model.api_key.get_secret_value() == "sk-very-secret"


def test_plain_model_has_no_api_key_even_if_the_row_has_one() -> None:
    model = SystemModel.model_validate({"id": uuid4(), "name": "m", "api_key": "sk-leak"})
    assert "sk-leak" not in model.model_dump_json()


def test_api_key_marker_reads_as_has_api_key() -> None:
    assert SystemModel.model_validate({"id": uuid4(), "name": "m", "api_key": "set"}).has_api_key
    assert not SystemModel.model_validate({"id": uuid4(), "name": "m", "api_key": None}).has_api_key


def test_null_arrays_read_as_empty_lists() -> None:
    model = SystemModel.model_validate(
        {"id": uuid4(), "name": "m", "tags": None, "organization_types": None}
    )
    assert model.tags == [] and model.organization_types == []
