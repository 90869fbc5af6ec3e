"""The superadmin's catalog of system AI models, as read and written through the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from aimodels.domain.enums import LimitPeriod, OrgType, PricingPlan
from aimodels.domain.inputs import Input

TokenAmount = Annotated[int, Field(ge=0, le=2_147_483_647)]
"""A token count that fits the database's integer columns."""


class _Row(BaseModel):
    """A row read from the API: unknown columns are ignored so new columns break nothing."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class ModelCard(_Row):
    """What every reader of a model sees: what it does and how it is limited."""

    id: UUID
    name: str
    role: str | None = None
    task: list[str] = Field(default_factory=list)
    system_message: str | None = None
    endpoint: str | None = None
    max_tokens: int | None = None
    icon: str | None = None
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    token_limit_period: LimitPeriod = LimitPeriod.MONTHLY
    token_limit_amount: int | None = None
    is_free: bool = False
    is_trial: bool = False
    is_featured: bool = False
    sort_order: int = 0

    @field_validator("task", "organization_types", "tags", mode="before", check_fields=False)
    @classmethod
    def _null_is_empty(cls, value: object) -> object:
        # Postgres arrays arrive as null when unset; a single text task as a string.
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        return value


class SystemModel(ModelCard):
    """A catalog model as every permitted role reads it: never carries the API key."""

    organization_types: list[OrgType] = Field(default_factory=list)
    required_plan: PricingPlan = PricingPlan.FREE
    trial_expires_days: int | None = None
    is_active: bool = True
    has_api_key: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _key_marker_only(cls, data: object) -> object:
        # The API's api_key column holds only the marker 'set' (or null), never the key.
        if isinstance(data, dict) and "api_key" in data and "has_api_key" not in data:
            data = {**data, "has_api_key": data["api_key"] is not None}
            if "api_key" not in cls.model_fields:
                del data["api_key"]
        return data


class SystemModelWithKey(SystemModel):
    """Superadmin-only view: the decrypted API key, hidden from repr/str and JSON dumps."""

    api_key: SecretStr | None = None


ModelName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A model's name: not blank (surrounding spaces are dropped)."""


class ModelDraft(Input):
    """A new catalog model. The API key is set separately (CatalogService.set_api_key)."""

    name: ModelName
    role: str | None = None
    task: list[str] = Field(default_factory=list)
    system_message: str | None = None
    endpoint: str | None = None
    max_tokens: Annotated[int, Field(gt=0, le=2_147_483_647)] | None = None
    icon: str | None = None
    organization_types: list[OrgType] = Field(default_factory=list)
    required_plan: PricingPlan = PricingPlan.FREE
    token_limit_period: LimitPeriod = LimitPeriod.MONTHLY
    token_limit_amount: TokenAmount | None = None
    is_free: bool = False
    is_trial: bool = False
    trial_expires_days: Annotated[int, Field(gt=0, le=2_147_483_647)] | None = None
    is_active: bool = True
    is_featured: bool = False
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    sort_order: int = 0

    @model_validator(mode="after")
    def _trial_needs_days(self) -> Self:
        if self.is_trial and self.trial_expires_days is None:
            raise ValueError("trial_expires_days: required when is_trial is true")
        return self


class ModelPatch(Input):
    """Changes to a catalog model; only the fields set are sent."""

    name: ModelName | None = None
    role: str | None = None
    task: list[str] | None = None
    system_message: str | None = None
    endpoint: str | None = None
    max_tokens: Annotated[int, Field(gt=0, le=2_147_483_647)] | None = None
    icon: str | None = None
    organization_types: list[OrgType] | None = None
    required_plan: PricingPlan | None = None
    token_limit_period: LimitPeriod | None = None
    token_limit_amount: TokenAmount | None = None
    is_free: bool | None = None
    is_trial: bool | None = None
    trial_expires_days: Annotated[int, Field(gt=0, le=2_147_483_647)] | None = None
    is_active: bool | None = None
    is_featured: bool | None = None
    description: str | None = None
    tags: list[str] | None = None
    sort_order: int | None = None


class UsableModel(ModelCard):
    """usable_models(): a model the caller may use now, with the caller's effective limit
    (None = unlimited) and trial end. Never carries the API key."""

    effective_token_limit: int | None = None
    trial_ends_at: datetime | None = None
