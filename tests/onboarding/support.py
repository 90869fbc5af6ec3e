"""Onboarding test helpers: read the stack's mail catcher, follow a link as a browser would."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
from pydantic import TypeAdapter

from aimodels.mailcatcher.messages import Message, MessageSummary

SITE_URL = "http://127.0.0.1:3000"  # config.toml's [auth] site_url
_SUMMARIES = TypeAdapter(list[MessageSummary])
_CODE = re.compile(r"enter the code: (\d+)")


def new_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@onboarding.example.test"


@dataclass(frozen=True)
class Mailbox:
    """The mail catcher's HTTP API, as a test reads it."""

    url: str

    def messages_to(self, address: str) -> list[Message]:
        listing = requests.get(f"{self.url}/api/v1/messages", timeout=10).json()
        found = [m for m in _SUMMARIES.validate_python(listing["messages"]) if address in m.to]
        return [self.read(m.id) for m in found]

    def read(self, message_id: str) -> Message:
        answer = requests.get(f"{self.url}/api/v1/messages/{message_id}", timeout=10)
        return Message.model_validate_json(answer.content)

    def wait_for(self, address: str, subject: str, timeout: float = 10) -> Message:
        """The newest message to `address` with this subject (mail is sent synchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [m for m in self.messages_to(address) if m.subject == subject]
            if matching:
                return matching[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no {subject!r} message to {address}")
            time.sleep(0.1)


def code_in(message: Message) -> str:
    match = _CODE.search(message.text)
    assert match is not None, message.text
    return match.group(1)


@dataclass(frozen=True)
class Followed:
    """Where a link sent the browser: the redirect target and its fragment's values."""

    status: int
    location: str
    fragment: dict[str, str]

    @property
    def target(self) -> str:
        return self.location.split("#", 1)[0]


def follow(link: str) -> Followed:
    answer = requests.get(link, allow_redirects=False, timeout=10)
    location = answer.headers.get("location", "")
    fragment = {
        k: v[0] for k, v in parse_qs(urlsplit(location).fragment, keep_blank_values=True).items()
    }
    return Followed(status=answer.status_code, location=location, fragment=fragment)
