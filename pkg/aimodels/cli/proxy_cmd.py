"""`aimodels proxy serve`: the OpenAI-compatible model access service."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from aimodels.proxy.settings import DEFAULT_PROXY_PORT

proxy_app = typer.Typer(
    help="The OpenAI-compatible service: quota reserved before each model call, settled "
    "after. It reads AIMODELS_PROXY_DB_URL (its database login, which becomes each caller), "
    "SUPABASE_JWT_SECRET, SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (the model key read) "
    "from the environment or .env.\n\nExample: aimodels proxy serve --port 54329",
    no_args_is_help=True,
)


@proxy_app.callback()
def proxy_group() -> None:
    """The OpenAI-compatible service: quota reserved before each model call, settled after."""


@proxy_app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PROXY_PORT,
    env_file: Annotated[
        str, typer.Option(help="Where SUPABASE_* come from when not in the environment.")
    ] = ".env",
    provider_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for a provider's answer (or next chunk).")
    ] = 60.0,
) -> None:
    """Serve GET /v1/models and POST /v1/chat/completions until interrupted.

    Callers send their Supabase access token as the Bearer. Exit code 2 when the API's
    settings are missing.
    """
    from aimodels.proxy.app import create_proxy_app
    from aimodels.proxy.server import serve
    from aimodels.proxy.settings import ProxySettings

    try:
        settings = ProxySettings.from_env(
            os.environ.get("AIMODELS_ENV_FILE", env_file),
            host=host,
            port=port,
            provider_timeout=provider_timeout,
        )
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    serve(create_proxy_app(settings), host, port)
