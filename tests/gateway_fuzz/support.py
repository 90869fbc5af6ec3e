"""What the fuzz tests send and what every answer must look like."""

from __future__ import annotations

from dataclasses import dataclass

import requests

# 5xx answers PostgREST gives too, by SQLSTATE class: statement cancelled at the role's
# timeout (57014), program limits (54xxx, e.g. stack depth on absurd nesting).
DOCUMENTED_5XX_CODES = frozenset({"57014", "54000", "54001"})


@dataclass(frozen=True)
class FuzzTarget:
    url: str
    user_token: str


def check_answer(response: requests.Response) -> None:
    """No undocumented 5xx; every error (and every body) is JSON."""
    summary = f"{response.request.method} {response.request.url!s:.300} -> {response.status_code}"
    content_type = response.headers.get("content-type", "")
    if response.status_code >= 400 and response.request.method != "HEAD":
        assert content_type.startswith("application/json"), f"{summary}: not JSON {content_type}"
        body = response.json()
        assert isinstance(body, dict), f"{summary}: error body {body!r}"
    if response.status_code >= 500:
        code = response.json().get("code")
        assert code in DOCUMENTED_5XX_CODES, f"{summary}: {response.text[:300]}"
