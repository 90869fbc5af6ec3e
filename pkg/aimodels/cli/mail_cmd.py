"""`aimodels mail ...`: read the local mail catcher (what the auth emails would have been)."""

from __future__ import annotations

from typing import Annotated

import requests
import typer
from pydantic import BaseModel, TypeAdapter

from aimodels.cli.mail_serve_cmd import serve_command
from aimodels.cli.output import (
    EXIT_CODES_HELP,
    JsonFlag,
    print_fields,
    print_json,
    print_table,
    reports_errors,
)
from aimodels.client import ApiUnavailable, NotFound
from aimodels.mailcatcher.messages import Message, MessageSummary
from aimodels.stack.mail_process import MailCatcherProcess, configured_web_port
from aimodels.stack.state import StackSettings

mail_app = typer.Typer(
    help="The local mail catcher: confirmation, magic-link, invitation, recovery and "
    "email-change messages the auth API sent; `aimodels mail show ID` prints one, with its "
    "links.\n\nExample: aimodels mail list\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
)

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Mail catcher URL (default: the local stack's)."),
]


class _MessageList(BaseModel):
    total: int
    messages: list[MessageSummary]


def _catcher_url(url: str | None) -> str:
    if url:
        return url.rstrip("/")
    settings = StackSettings.for_project()
    config = settings.project_dir / "supabase" / "config.toml"
    found = MailCatcherProcess(settings.devstack_dir, configured_web_port(config)).url
    if found is None:
        raise ApiUnavailable("the mail catcher is not running: start it with `aimodels stack up`")
    return found


def _get(url: str) -> requests.Response:
    try:
        return requests.get(url, timeout=10)
    except requests.RequestException as error:
        raise ApiUnavailable(f"cannot reach the mail catcher: {error}") from error


mail_app.command("serve")(serve_command)


@mail_app.command("list")
@reports_errors
def list_command(url: UrlOption = None, json_out: JsonFlag = False) -> None:
    """The caught messages, newest first."""
    answer = _get(f"{_catcher_url(url)}/api/v1/messages")
    listing = _MessageList.model_validate_json(answer.content)
    if json_out:
        print_json(listing.messages)
        return
    print_table(
        f"Mail ({listing.total})",
        ("id", "received", "to", "subject"),
        [
            (m.id, m.created.strftime("%Y-%m-%d %H:%M:%S"), m.to, m.subject)
            for m in listing.messages
        ],
    )


@mail_app.command("show")
@reports_errors
def show_command(
    message_id: Annotated[str, typer.Argument(help="Message id, as `mail list` shows it.")],
    url: UrlOption = None,
    json_out: JsonFlag = False,
) -> None:
    """One message: headers, text body and its links."""
    answer = _get(f"{_catcher_url(url)}/api/v1/messages/{message_id}")
    if answer.status_code == 404:
        raise NotFound(f"no message {message_id}")
    message = TypeAdapter(Message).validate_json(answer.content)
    if json_out:
        print_json(message)
        return
    print_fields(
        f"Message {message.id}",
        [("from", message.sender), ("to", message.to), ("subject", message.subject),
         ("received", message.created.isoformat()), ("links", message.links)],
    )  # fmt: skip
    print(message.text)
