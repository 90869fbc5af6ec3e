"""Send one request as one actor, and say how the answer differs from the expectation.

send -> observe (status, code, rows) -> compare; pure functions around one HTTP call.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from pydantic import BaseModel, ConfigDict, JsonValue

from aimodels.rls.cases import Expectation, Returning, Verb

NameOf = Callable[[str], str]
"""Shows a uuid as its symbol (`org:acme-law`), so probe.py needs no Symbols."""

_METHOD = {
    Verb.GET: "GET",
    Verb.POST: "POST",
    Verb.PATCH: "PATCH",
    Verb.DELETE: "DELETE",
    Verb.RPC: "POST",
}


class Secret(BaseModel):
    """An API key as a secret holder read it, to be looked for in everybody else's answers."""

    model_config = ConfigDict(frozen=True)

    owner: str  # "model:Legal Assistant"
    value: str


class Observation(BaseModel):
    """What came back: status, PostgREST's error code and message, and the rows."""

    model_config = ConfigDict(frozen=True)

    status: int
    code: str | None = None
    message: str | None = None
    rows: list[JsonValue] = []
    text: str = ""

    def field(self, name: str) -> JsonValue:
        """`name` of the first row (for captures); None when absent."""
        first = self.rows[0] if self.rows else None
        return first.get(name) if isinstance(first, dict) else None


def send(
    http: httpx.Client,
    verb: Verb,
    path: str,
    body: JsonValue,
    returning: Returning = Returning.REPRESENTATION,
) -> Observation:
    headers = {"Accept-Profile": "public"}
    if verb is not Verb.GET:
        headers["Content-Profile"] = "public"
    if verb in (Verb.POST, Verb.PATCH, Verb.DELETE):
        headers["Prefer"] = f"return={returning.value}"
    content = None if body is None and verb is not Verb.RPC else json.dumps(body or {})
    if content is not None:
        headers["Content-Type"] = "application/json"
    response = http.request(_METHOD[verb], path, content=content, headers=headers)
    return observe(response)


def observe(response: httpx.Response) -> Observation:
    text = response.text
    try:
        payload: JsonValue = response.json() if text.strip() else None
    except ValueError:
        payload = text
    if response.status_code >= 400:
        error = payload if isinstance(payload, dict) else {}
        code = error.get("code")
        message = error.get("message") or error.get("msg")
        return Observation(
            status=response.status_code,
            code=None if code is None else str(code),
            message=None if message is None else str(message),
            text=text,
        )
    if payload is None:
        rows: list[JsonValue] = []
    elif isinstance(payload, list):
        rows = payload
    else:
        rows = [payload]  # an RPC's single object or scalar counts as one row
    return Observation(status=response.status_code, rows=rows, text=text)


def row_keys(observation: Observation, key: str, name_of: NameOf) -> list[str] | None:
    """The `key` field of every row as the matrix writes it, or None if a row lacks it."""
    keys: list[str] = []
    for row in observation.rows:
        if not isinstance(row, dict) or key not in row:
            return None
        keys.append(_show(row[key], name_of))
    return sorted(keys)


def _show(value: JsonValue, name_of: NameOf) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return name_of(value)
    return json.dumps(value, separators=(",", ":"))


def describe(observation: Observation, expect: Expectation, key: str, name_of: NameOf) -> str:
    """The observation in the expectation's own notation, so the two read side by side."""
    parts = [str(observation.status)]
    if observation.code:
        parts.append(observation.code)
    if observation.status < 300:
        keys = row_keys(observation, key, name_of)
        if expect.count is not None or keys is None:
            parts.append(f"#{len(observation.rows)}")
        else:
            parts.append("[" + ", ".join(keys) + "]")
    return " ".join(parts)


def compare(observation: Observation, expect: Expectation, key: str, name_of: NameOf) -> bool:
    """True when the observation is exactly what the expectation says."""
    if observation.status != expect.status:
        return False
    if expect.code is not None and observation.code != expect.code:
        return False
    if expect.count is not None and len(observation.rows) != expect.count:
        return False
    if expect.keys is not None:
        keys = row_keys(observation, key, name_of)
        if keys is None or tuple(keys) != tuple(sorted(expect.keys)):
            return False
    return True


def leaked(observation: Observation, secrets: list[Secret]) -> list[str]:
    """Owners of every secret that appears anywhere in the response body."""
    return [secret.owner for secret in secrets if secret.value in observation.text]


def redact(text: str | None, secrets: list[Secret]) -> str | None:
    """Never print a key in a report, even the one that leaked."""
    if text is None:
        return None
    for secret in secrets:
        text = text.replace(secret.value, f"<api key of {secret.owner}>")
    return text
