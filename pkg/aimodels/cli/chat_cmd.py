"""`aimodels chat`: ask one of your models, through the model access service."""

from __future__ import annotations

import inspect
from typing import Annotated

import typer

from aimodels.cli.exits import ExitCode, exit_codes_help
from aimodels.cli.output import JsonFlag, print_json, reports_errors
from aimodels.cli.session import env_file, signed_in_client
from aimodels.client.model_access import proxy_url_from_env
from aimodels.domain.chat import ChatResult


@reports_errors
def chat_command(
    ctx: typer.Context,
    prompt: Annotated[str, typer.Argument(help="What to ask.")],
    model: Annotated[str, typer.Option("--model", "-m", help="A usable model, name or id.")],
    max_tokens: Annotated[
        int | None,
        typer.Option(min=1, help="Cap the answer (default and ceiling: the model's own)."),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Stream a model's answer to the terminal, then the tokens it used and what is left.

    The quota is reserved before the call and settled with what the provider reports.
    --json waits for the whole answer and prints it with the usage and quota.

    Example: aimodels --as user1@bright-visas.example.test chat --model "Immigration Case
    Assistant" "Which visa fits a chef?"
    """
    user = signed_in_client(ctx).user()
    found = user.find_model(model)
    access = user.model_access(proxy_url_from_env(env_file()))
    if json_out:
        print_json(access.chat(found, prompt, max_tokens))
        return
    result: ChatResult | None = None
    for piece in access.stream(found, prompt, max_tokens):
        if isinstance(piece, ChatResult):
            result = piece
        else:
            typer.echo(piece, nl=False)
    typer.echo()
    if result is not None:
        typer.echo(_summary(result), err=True)


# The command's help: its docstring, then what its permission and not-found exits mean here.
_EXIT_CODES = exit_codes_help(
    {
        ExitCode.PERMISSION: "permission denied or model not enabled",
        ExitCode.NOT_FOUND: "model not found",
    }
)
CHAT_HELP = f"{inspect.getdoc(chat_command)}\n\n{_EXIT_CODES}"


def _summary(result: ChatResult) -> str:
    used = "unknown" if result.usage is None else str(result.usage.total_tokens)
    left = "unlimited" if result.tokens_remaining is None else str(result.tokens_remaining)
    org = "unlimited" if result.org_tokens_remaining is None else str(result.org_tokens_remaining)
    return f"tokens used: {used} · left for you: {left} · left for your organization: {org}"
