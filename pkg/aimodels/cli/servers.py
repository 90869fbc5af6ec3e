"""The stack's servers on their own: `python -m aimodels.cli.servers NOUN serve ...`.

The same commands as `aimodels NOUN serve` (gateway, mail, provider, proxy), registered
without the rest of the command line: importing it all (the client, with openai and
supabase-py) cost each server about 2 s of CPU before it served, four servers on a
`stack up`. `aimodels NOUN serve` stays the documented way; this is how the stack runs them.
"""

from __future__ import annotations

import typer

from aimodels.cli.gateway_cmd import gateway_app
from aimodels.cli.mail_serve_cmd import serve_command as serve_mail
from aimodels.cli.provider_cmd import provider_app
from aimodels.cli.proxy_cmd import proxy_app

mail_servers_app = typer.Typer(no_args_is_help=True)


@mail_servers_app.callback()
def mail_group() -> None:
    """The local mail catcher."""


mail_servers_app.command("serve")(serve_mail)

app = typer.Typer(help="The local stack's servers.", no_args_is_help=True, add_completion=False)
app.add_typer(gateway_app, name="gateway")
app.add_typer(mail_servers_app, name="mail")
app.add_typer(provider_app, name="provider")
app.add_typer(proxy_app, name="proxy")

if __name__ == "__main__":
    app()
