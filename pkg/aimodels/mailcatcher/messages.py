"""The caught messages: parsed once on arrival, kept in memory (newest first), bounded."""

from __future__ import annotations

import datetime as dt
import re
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html import unescape

from pydantic import BaseModel, ConfigDict

MAX_MESSAGES = 1000
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"""href=["']([^"']+)["']""")


class MessageSummary(BaseModel):
    """A row of the list: what `mail list` and the web page show."""

    model_config = ConfigDict(frozen=True)

    id: str
    sender: str
    to: list[str]
    subject: str
    created: dt.datetime
    snippet: str


class Message(MessageSummary):
    """One message in full: both bodies and the links of its HTML part."""

    text: str
    html: str
    links: list[str]


def parse_message(message_id: str, raw: bytes, recipients: list[str]) -> Message:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    text = html = ""
    if isinstance(parsed, EmailMessage):
        text_part = parsed.get_body(preferencelist=("plain",))
        html_part = parsed.get_body(preferencelist=("html",))
        text = text_part.get_content() if text_part is not None else ""
        html = html_part.get_content() if html_part is not None else ""
    plain = text or unescape(_TAG.sub(" ", html))
    return Message(
        id=message_id,
        sender=str(parsed.get("From", "")),
        to=recipients or [str(parsed.get("To", ""))],
        subject=str(parsed.get("Subject", "")),
        created=dt.datetime.now(dt.UTC),
        snippet=" ".join(plain.split())[:120],
        text=text,
        html=html,
        links=[unescape(link) for link in _LINK.findall(html)],
    )


class MessageStore:
    """Thread-safe: the SMTP side appends while the HTTP side reads."""

    def __init__(self, limit: int = MAX_MESSAGES) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        self._limit = limit
        self._next = 1

    def add(self, raw: bytes, recipients: list[str]) -> Message:
        with self._lock:
            message = parse_message(str(self._next), raw, recipients)
            self._next += 1
            self._messages.insert(0, message)
            del self._messages[self._limit :]
            return message

    def list(self) -> list[Message]:
        with self._lock:
            return list(self._messages)

    def get(self, message_id: str) -> Message | None:
        with self._lock:
            return next((m for m in self._messages if m.id == message_id), None)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
