"""Values a caller sends (drafts, patches, usage): checked when built, refused as InvalidInput
with a sentence per broken rule (never pydantic's ValidationError), strict about types so
`True` is not a token count."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from aimodels.domain.errors import InvalidInput
from aimodels.domain.validation import explain


class Input(BaseModel):
    """A value a caller sends: unknown fields are an error, naming the field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise InvalidInput(explain(error)) from error

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        try:
            return super().model_validate(obj, **options)
        except ValidationError as error:
            raise InvalidInput(explain(error)) from error

    def to_payload(self) -> dict[str, object]:
        """The JSON body for PostgREST: only the fields the caller set."""
        return self.model_dump(mode="json", exclude_unset=True)
