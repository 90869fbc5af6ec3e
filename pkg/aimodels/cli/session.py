"""Signing the command line in: `--as EMAIL`, password from env, seed default or prompt."""

from __future__ import annotations

import os

import typer

from aimodels.cli.context import CliContext
from aimodels.client import AIModelsClient, AuthError

PASSWORD_ENV = "AIMODELS_PASSWORD"
ACTOR_ENV = "AIMODELS_AS"
ENV_FILE_ENV = "AIMODELS_ENV_FILE"
# The seed's one password for its test accounts (local stacks only, documented in README).
SEEDED_PASSWORD = "aimodels-dev-password"
SEEDED_DOMAIN = "example.test"


def signed_in_client(ctx: typer.Context) -> AIModelsClient:
    """A client for the API in .env, signed in as the global `--as` account."""
    email = _actor_email(ctx)
    client = AIModelsClient.from_env(os.environ.get(ENV_FILE_ENV, ".env"))
    client.sign_in(email, password_for(email))
    return client


def password_for(email: str) -> str:
    """AIMODELS_PASSWORD, else the seeded password for seeded accounts, else a prompt."""
    if password := os.environ.get(PASSWORD_ENV):
        return password
    if is_seeded_account(email):
        return SEEDED_PASSWORD
    return str(typer.prompt(f"Password for {email}", hide_input=True, err=True))


def is_seeded_account(email: str) -> bool:
    domain = email.rpartition("@")[2].casefold()
    return domain == SEEDED_DOMAIN or domain.endswith("." + SEEDED_DOMAIN)


def _actor_email(ctx: typer.Context) -> str:
    email = ctx.obj.as_email if isinstance(ctx.obj, CliContext) else None
    email = email or os.environ.get(ACTOR_ENV)
    if not email:
        raise AuthError(f"say who you are: aimodels --as EMAIL ... (or set {ACTOR_ENV})")
    return email
