"""The mail catcher's page in headless Chromium: it lists the messages, and the link in the
confirmation email, opened in the browser, confirms the account and lands on the site with
the session in the URL fragment."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from supabase import Client

from tests.onboarding.support import Mailbox, new_email

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=5000",
)
# The site's landing page: it shows what the browser received in the fragment.
LANDING = (
    b"<!doctype html><html><body><pre id='fragment'></pre><script>"
    b"document.getElementById('fragment').textContent = location.hash;"
    b"</script></body></html>"
)


class _Landing(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(LANDING)

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def site() -> Iterator[str]:
    """A stand-in for the app at site_url's host (127.0.0.1), on a free port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Landing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/welcome"
    server.shutdown()


@pytest.fixture
def browse(tmp_path: Path) -> Callable[[str], str]:
    """`browse(url)`: the DOM headless Chromium ends up with (fresh profile each test)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is missing: ./scripts/setup installs Debian's chromium"

    def dump_dom(url: str) -> str:
        done = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout

    return dump_dom


def test_the_page_lists_the_message_and_its_link_completes_the_sign_up(
    new_client: Callable[[], Client],
    mailbox: Mailbox,
    site: str,
    browse: Callable[[str], str],
) -> None:
    email = new_email("browser")
    new_client().auth.sign_up(
        {
            "email": email,
            "password": "browser-pass-1",
            "options": {
                "data": {"org_name": "Browser Co", "org_type": "media"},
                "email_redirect_to": site,
            },
        }
    )
    message = mailbox.wait_for(email, "Confirm Your Signup")

    index = browse(f"{mailbox.url}/")
    row = re.search(rf'<tr id="message-{message.id}">(.*?)</tr>', index, re.S)
    assert row is not None, "the page lists the message"
    assert email in row.group(1) and "Confirm Your Signup" in row.group(1)

    view = browse(f"{mailbox.url}/view/{message.id}")
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+/auth/v1/verify[^"]*)"', view)]
    assert len(hrefs) == 1, "the message shows one confirmation link"

    landed = browse(hrefs[0])
    fragment = re.search(r'<pre id="fragment">#(.*?)</pre>', landed, re.S)
    assert fragment is not None, landed
    assert "access_token=" in fragment.group(1) and "type=signup" in fragment.group(1)

    client = new_client()
    client.auth.sign_in_with_password({"email": email, "password": "browser-pass-1"})
    org = client.table("organizations").select("name, pricing_plan").single().execute().data
    assert org == {"name": "Browser Co", "pricing_plan": "free"}, "the link confirmed the sign-up"
