"""The mail catcher without a stack: SMTP in (aiosmtpd on a free port), the API and page out."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from starlette.testclient import TestClient

from aimodels.mailcatcher.messages import MessageStore
from aimodels.mailcatcher.server import CatchAll
from aimodels.mailcatcher.web import build_app


@pytest.fixture
def catcher() -> Iterator[tuple[MessageStore, int]]:
    store = MessageStore(limit=3)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(CatchAll(store), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield store, port
    finally:
        controller.stop()


def _send(port: int, to: str, subject: str, link: str) -> None:
    message = EmailMessage()
    message["From"] = "Admin <admin@email.com>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(f"Follow {link}\nAlternatively, enter the code: 123456")
    message.add_alternative(f'<p><a href="{link}">Confirm &amp; go</a></p>', subtype="html")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def test_a_caught_message_is_listed_and_shown_with_its_links(
    catcher: tuple[MessageStore, int],
) -> None:
    store, port = catcher
    link = "http://127.0.0.1:54321/auth/v1/verify?token=abc&type=signup&redirect_to=x"
    _send(port, "ada@example.test", "Confirm Your Signup", link)
    client = TestClient(build_app(store))
    listing = client.get("/api/v1/messages").json()
    assert listing["total"] == 1
    summary = listing["messages"][0]
    assert (summary["to"], summary["subject"]) == (["ada@example.test"], "Confirm Your Signup")
    shown = client.get(f"/api/v1/messages/{summary['id']}").json()
    assert shown["links"] == [link], "links come out of the HTML part, unescaped"
    assert "enter the code: 123456" in shown["text"]
    page = client.get("/").text
    assert f'<a href="/view/{summary["id"]}">Confirm Your Signup</a>' in page
    assert "ada@example.test" in client.get(f"/view/{summary['id']}").text
    assert client.get("/api/v1/messages/999").status_code == 404


def test_the_store_keeps_the_newest_messages_only(catcher: tuple[MessageStore, int]) -> None:
    store, port = catcher
    for n in range(5):
        _send(port, f"u{n}@example.test", f"message {n}", "http://x/")
    assert [m.subject for m in store.list()] == ["message 4", "message 3", "message 2"]


def test_html_in_a_subject_is_escaped_on_the_page() -> None:
    store = MessageStore()
    raw = b"From: a@b.c\r\nTo: d@e.f\r\nSubject: <script>alert(1)</script>\r\n\r\nhi\r\n"
    store.add(raw, ["d@e.f"])
    page = TestClient(build_app(store)).get("/").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
