"""The root of the toolkit's errors, and the one a bad value raises.

They live in the pure layer so that an input model (ModelDraft, UsageInput...) can refuse a
value with the same error the client raises for the API's refusals; `aimodels.client`
re-exports both with the rest of the hierarchy.
"""

from __future__ import annotations


class AppError(Exception):
    """Anything the toolkit refuses or cannot do; `code` is the API's code when there is one."""

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.hint = hint


class InvalidInput(AppError):
    """A value broke a rule (amount, enum, unknown field, duplicate...)."""
