"""The Prefer header (PostgREST's ApiRequest/Preferences.hs).

Several Prefer headers and comma-separated values are accepted; the first value of each kind
wins; unknown values are collected so `handling=strict` can reject them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


class Resolution(StrEnum):
    MERGE_DUPLICATES = "resolution=merge-duplicates"
    IGNORE_DUPLICATES = "resolution=ignore-duplicates"


class Representation(StrEnum):
    FULL = "return=representation"
    MINIMAL = "return=minimal"
    HEADERS_ONLY = "return=headers-only"


class Count(StrEnum):
    EXACT = "count=exact"
    PLANNED = "count=planned"
    ESTIMATED = "count=estimated"


class Missing(StrEnum):
    DEFAULT = "missing=default"
    NULL = "missing=null"


class Handling(StrEnum):
    STRICT = "handling=strict"
    LENIENT = "handling=lenient"


class Transaction(StrEnum):
    COMMIT = "tx=commit"
    ROLLBACK = "tx=rollback"


@dataclass(frozen=True, slots=True)
class Preferences:
    resolution: Resolution | None = None
    representation: Representation | None = None
    count: Count | None = None
    missing: Missing | None = None
    handling: Handling | None = None
    transaction: Transaction | None = None
    timezone: str | None = None
    max_affected: int | None = None
    invalid: tuple[str, ...] = ()

    @property
    def should_count(self) -> bool:
        """Exact and estimated counts run a count query; planned uses EXPLAIN only."""
        return self.count in (Count.EXACT, Count.ESTIMATED)

    def applied_header(self) -> str | None:
        """Preference-Applied: the honoured preferences, in PostgREST's order."""
        values = [
            self.resolution,
            self.missing,
            self.representation,
            self.count,
            self.transaction,
            self.handling,
            f"max-affected={self.max_affected}"
            if self.handling is Handling.STRICT and self.max_affected is not None
            else None,
        ]
        shown = [str(v) for v in values if v is not None]
        return ", ".join(shown) if shown else None

    def only(self, **kept: bool) -> Preferences:
        """A copy keeping only the named kinds that apply to this action (for the header)."""
        cleared = {
            name: None for name in ("resolution", "representation", "missing") if not kept.get(name)
        }
        if not kept.get("max_affected"):
            cleared["max_affected"] = None
        return replace(self, **cleared)  # type: ignore[arg-type]


_KINDS: tuple[type[StrEnum], ...] = (Resolution, Representation, Count, Missing, Handling)


def parse_preferences(header_values: list[str], *, allow_tx_override: bool = False) -> Preferences:
    tokens = [token.strip() for value in header_values for token in value.split(",")]
    tokens = [t for t in tokens if t]
    found: dict[type[StrEnum], StrEnum] = {}
    timezone: str | None = None
    max_affected: int | None = None
    transaction: Transaction | None = None
    invalid: list[str] = []
    for token in tokens:
        matched = False
        for kind in _KINDS:
            try:
                value = kind(token)
            except ValueError:
                continue
            found.setdefault(kind, value)
            matched = True
        if token in (Transaction.COMMIT, Transaction.ROLLBACK):
            matched = True
            if allow_tx_override and transaction is None:
                transaction = Transaction(token)
        elif token.startswith("timezone="):
            matched = True
            timezone = timezone or token.removeprefix("timezone=")
        elif token.startswith("max-affected="):
            matched = True
            if max_affected is None:
                try:
                    max_affected = int(token.removeprefix("max-affected="))
                except ValueError:
                    max_affected = None
        if not matched:
            invalid.append(token)
    return Preferences(
        resolution=_pick(found, Resolution),
        representation=_pick(found, Representation),
        count=_pick(found, Count),
        missing=_pick(found, Missing),
        handling=_pick(found, Handling),
        transaction=transaction,
        timezone=timezone,
        max_affected=max_affected,
        invalid=tuple(invalid),
    )


def _pick(found: dict[type[StrEnum], StrEnum], kind: type[E]) -> E | None:
    value = found.get(kind)
    return value if isinstance(value, kind) else None
