"""What the global options decided, handed to every sub-command through typer's ctx.obj."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CliContext:
    as_email: str | None = None
