"""Readable validation errors: each line names the field and the rule it broke."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails


def explain(error: ValidationError) -> str:
    """`tokens_used: must be >= 0 (greater_than_equal)`; several problems joined by '; '."""
    return "; ".join(_describe(item) for item in error.errors(include_url=False))


def _describe(item: ErrorDetails) -> str:
    field = ".".join(str(part) for part in item["loc"]) or "value"
    rule = item["type"]
    context = item.get("ctx") or {}
    message = _RULE_TEXT.get(rule, "{msg}").format(msg=item["msg"], **context)
    # model-level validators already start their message with the field name
    if rule == "value_error" and field == "value":
        return message.removeprefix("Value error, ")
    return f"{field}: {message.removeprefix('Value error, ')} ({rule})"


_RULE_TEXT: dict[str, str] = {
    "greater_than_equal": "must be >= {ge}",
    "greater_than": "must be > {gt}",
    "less_than_equal": "must be <= {le}",
    "string_too_short": "must have at least {min_length} character(s)",
    "string_too_long": "must have at most {max_length} characters",
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "enum": "must be one of {expected}",
}
