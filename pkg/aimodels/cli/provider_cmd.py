"""`aimodels provider serve`: the deterministic OpenAI-compatible development provider."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from aimodels.proxy.settings import DEFAULT_PROVIDER_PORT

provider_app = typer.Typer(
    help="A deterministic OpenAI-compatible provider for development and tests.\n\n"
    "Example: aimodels provider serve --port 54330",
    no_args_is_help=True,
)

API_KEY_ENV = "AIMODELS_DEV_PROVIDER_KEY"


@provider_app.callback()
def provider_group() -> None:
    """A deterministic OpenAI-compatible provider for development and tests."""


@provider_app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PROVIDER_PORT,
) -> None:
    """Serve GET /v1/models and POST /v1/chat/completions until interrupted.

    Answers echo the last user message's words; usage is exact (prompt: 3 + words per
    message + 3; completion: min(max_tokens, 8 + prompt % 16, or N with [[length:N]])).
    Markers in the prompt make it misbehave: [[fail:500]], [[delay:2]], [[slow:0.1]],
    [[cut:3]], [[no-usage]]. With AIMODELS_DEV_PROVIDER_KEY set, other Bearer keys get 401.
    """
    from aimodels.proxy.dev_provider import create_dev_provider
    from aimodels.proxy.server import serve

    serve(create_dev_provider(os.environ.get(API_KEY_ENV) or None), host, port)
