"""Run the mail catcher (`aimodels mail serve`) as a background process of the stack.

Like the CLI's Inbucket: the web page and API on config.toml's [local_smtp] port (54324),
SMTP on the next port (54325), each moved to a free port when taken; the ports are kept in
.devstack/mailcatcher.json so URLs stay stable. Its log goes to .devstack/mailcatcher.log.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import requests
from pydantic import BaseModel

from aimodels.stack.ports import pick_port, port_is_free
from aimodels.stack.process import SERVERS
from aimodels.stack.service_process import BackgroundProcess

DEFAULT_WEB_PORT = 54324


class MailPorts(BaseModel):
    web_port: int
    smtp_port: int


def configured_web_port(config_toml: Path) -> int:
    """config.toml's [local_smtp] port (the web interface), or the CLI's default."""
    if not config_toml.exists():
        return DEFAULT_WEB_PORT
    section = tomllib.loads(config_toml.read_text()).get("local_smtp", {})
    return int(section.get("port", DEFAULT_WEB_PORT))


class MailCatcherProcess(BackgroundProcess):
    def __init__(self, devstack_dir: Path, preferred_web_port: int) -> None:
        super().__init__(devstack_dir, "mailcatcher", "mail serve")
        self.ports_file = devstack_dir / "mailcatcher.json"
        self.preferred_web_port = preferred_web_port

    def ports(self) -> MailPorts | None:
        if not self.ports_file.exists():
            return None
        return MailPorts.model_validate(json.loads(self.ports_file.read_text()))

    @property
    def url(self) -> str | None:
        ports = self.ports()
        return f"http://127.0.0.1:{ports.web_port}" if ports else None

    def is_healthy(self) -> bool:
        url = self.url
        if url is None:
            return False
        try:
            return requests.get(f"{url}/api/v1/messages", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def start(self, timeout: float = 15) -> MailPorts:
        ports = self.ports()
        if ports is not None and self.pid() is not None and self.is_healthy():
            return ports
        if ports is None or not (port_is_free(ports.web_port) and port_is_free(ports.smtp_port)):
            web = pick_port(self.preferred_web_port)
            # The CLI's SMTP port sits next to the web one (54325); any free port otherwise.
            smtp = pick_port(web + 1)
            while smtp == web:
                smtp = pick_port(web + 2)
            ports = MailPorts(web_port=web, smtp_port=smtp)
        self.ports_file.write_text(ports.model_dump_json())
        command = [
            sys.executable, *SERVERS, "mail", "serve",
            "--smtp-port", str(ports.smtp_port), "--web-port", str(ports.web_port),
        ]  # fmt: skip
        self.wait_until_healthy(self.spawn(command), timeout)
        return ports
