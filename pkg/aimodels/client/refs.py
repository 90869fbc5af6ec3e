"""Find a model or organization by what a person types: its id, name or slug."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar
from uuid import UUID

from aimodels.client.errors import InvalidInput, NotFound
from aimodels.domain import ModelCard

ModelRef = str | UUID | ModelCard
"""A model's id (a UUID or its text), its name (any case), or a model a service returned."""

OrgRef = str | UUID
"""An organization's id, name or slug."""


class _Named(Protocol):
    @property
    def id(self) -> UUID: ...
    @property
    def name(self) -> str: ...


Named = TypeVar("Named", bound=_Named)


def as_uuid(ref: str | UUID | ModelCard) -> UUID | None:
    """The UUID `ref` spells (or a model's id), or None when it is a name."""
    if isinstance(ref, ModelCard):
        return ref.id
    if isinstance(ref, UUID):
        return ref
    try:
        return UUID(ref)
    except ValueError:
        return None


def find_by_ref(
    candidates: Iterable[Named],
    ref: str | UUID | ModelCard,
    *,
    kind: str,
    also: tuple[str, ...] = (),
    scope: str = "you may see",
) -> Named:
    """The one candidate whose id, name (case-insensitive) or an `also` field equals ref.

    Raises NotFound when none does, InvalidInput when several do.
    """
    wanted = as_uuid(ref)
    text = "" if isinstance(ref, ModelCard) else str(ref).strip().casefold()
    matches = [
        item
        for item in candidates
        if item.id == wanted
        or item.name.casefold() == text
        or any(str(getattr(item, field, "")).casefold() == text for field in also)
    ]
    if not matches:
        shown = ref.name if isinstance(ref, ModelCard) else ref
        raise NotFound(f"no {kind} '{shown}' that {scope}")
    if len(matches) > 1:
        raise InvalidInput(f"'{ref}' names {len(matches)} {kind}s: use the id")
    return matches[0]
