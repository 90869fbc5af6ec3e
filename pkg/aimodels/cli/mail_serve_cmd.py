"""`aimodels mail serve`, apart from the commands that read the catcher: the stack starts it
through aimodels.cli.servers, which must not import the client those commands need."""

from __future__ import annotations

from typing import Annotated

import typer


def serve_command(
    smtp_port: Annotated[int, typer.Option(help="SMTP port to receive on.")] = 54325,
    web_port: Annotated[int, typer.Option(help="Port of the web page and API.")] = 54324,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
) -> None:
    """Run the mail catcher until interrupted (the stack runs it for you)."""
    from aimodels.mailcatcher.server import serve

    serve(host, smtp_port, web_port)
