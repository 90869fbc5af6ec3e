"""Values a caller builds (drafts, patches, usage) refuse bad values with the toolkit's own
InvalidInput (an AppError), never pydantic's ValidationError, and `True` is no count."""

from __future__ import annotations

from uuid import uuid4

import pytest

from aimodels.client import (
    AIModelsClient,
    AppError,
    CatalogService,
    InvalidInput,
    ModelDraft,
    ModelPatch,
    OrgAdminService,
    OrganizationService,
    PricingPlan,
    UserService,
)
from aimodels.domain import UsageInput


def test_a_blank_model_name_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="name: must have at least 1 character"):
        ModelDraft(name="   ")


def test_a_draft_validated_from_a_dict_raises_invalid_input_too() -> None:
    with pytest.raises(InvalidInput, match="required_plan"):
        ModelDraft.model_validate({"name": "X", "required_plan": "platinum"})


def test_an_unknown_patch_field_is_named() -> None:
    with pytest.raises(InvalidInput, match="colour: is not a known field"):
        ModelPatch.model_validate({"colour": "red"})


def test_a_trial_without_days_is_refused_as_an_app_error() -> None:
    with pytest.raises(AppError, match="trial_expires_days"):
        ModelDraft(name="Trial", is_trial=True)


@pytest.mark.parametrize("tokens", [True, 0, -1, 2**31, 1.5, "10"])
def test_usage_amounts_are_strict_whole_numbers(tokens: object) -> None:
    with pytest.raises(InvalidInput, match="tokens_used"):
        UsageInput(model_id=uuid4(), tokens_used=tokens)  # type: ignore[arg-type]


def test_a_good_draft_keeps_its_values() -> None:
    draft = ModelDraft(name="  Tax Helper ", required_plan=PricingPlan.PRO)
    assert draft.name == "Tax Helper"
    assert draft.to_payload() == {"name": "Tax Helper", "required_plan": "pro"}


def test_every_public_client_method_has_a_docstring() -> None:
    undocumented = [
        f"{cls.__name__}.{name}"
        for cls in (
            AIModelsClient,
            CatalogService,
            OrgAdminService,
            OrganizationService,
            UserService,
        )
        for name, member in vars(cls).items()
        if not name.startswith("_")
        and callable(getattr(member, "__func__", member))
        and not (getattr(member, "__func__", member).__doc__ or "").strip()
    ]
    assert not undocumented
