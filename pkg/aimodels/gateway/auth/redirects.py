"""Where GoTrue may send a browser after a link: utilities.GetReferrer/IsRedirectURLValid.

A redirect_to on the site_url's host, or matching an entry of additional_redirect_urls
(a glob where `*` stops at `.` and `/`, `**` does not), is honoured; any other is replaced
by site_url, so a link can never carry a session to a foreign host.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from urllib.parse import urlsplit

from aimodels.gateway.auth.config import AuthFlowSettings


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append(r"[^./]*")
            i += 1
        elif pattern[i] == "?":
            parts.append(r"[^./]")
            i += 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(parts) + r"\Z")


def is_redirect_allowed(settings: AuthFlowSettings, url: str) -> bool:
    if not url:
        return False
    try:
        target = urlsplit(url)
        site = urlsplit(settings.site_url)
    except ValueError:
        return False
    if target.scheme not in ("http", "https") or not target.hostname:
        return False
    if target.hostname == site.hostname:
        return True
    return any(_glob(entry).match(url) for entry in settings.additional_redirect_urls)


def referrer(
    settings: AuthFlowSettings, redirect_to: str | None, headers: Mapping[str, str]
) -> str:
    """The redirect_to parameter if allowed, else the Referer header if allowed, else site_url."""
    for candidate in (redirect_to or "", headers.get("referer", "")):
        if is_redirect_allowed(settings, candidate):
            return candidate
    return settings.site_url
