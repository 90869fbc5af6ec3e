"""Signing the command line in: `--as EMAIL` (or AIMODELS_AS), the password from the
environment, the seed's default or a prompt, and the API from the nearest `.env`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from aimodels.cli.context import CliContext
from aimodels.client import AIModelsClient, AuthError, InvalidInput

PASSWORD_ENV = "AIMODELS_PASSWORD"
ACTOR_ENV = "AIMODELS_AS"
ENV_FILE_ENV = "AIMODELS_ENV_FILE"
# The seed's one password for its test accounts (local stacks only, documented in README).
SEEDED_PASSWORD = "aimodels-dev-password"
SEEDED_DOMAIN = "example.test"


def signed_in_client(ctx: typer.Context) -> AIModelsClient:
    """A client for the API in .env, signed in as the global `--as` account."""
    email = _actor_email(ctx)
    client = AIModelsClient.from_env(env_file())
    client.sign_in(email, password_for(email))
    return client


def env_file() -> Path | None:
    """$AIMODELS_ENV_FILE when set; else None: the client looks for the nearest `.env` in
    this folder or a parent, as the stack commands find the project."""
    named = os.environ.get(ENV_FILE_ENV)
    return Path(named) if named else None


def password_for(email: str) -> str:
    """AIMODELS_PASSWORD, else the seeded password for seeded accounts, else a prompt."""
    if password := os.environ.get(PASSWORD_ENV):
        return password
    if is_seeded_account(email):
        return SEEDED_PASSWORD
    if not sys.stdin.isatty():
        raise AuthError(f"no password for {email}: set {PASSWORD_ENV} (no terminal to ask on)")
    return str(typer.prompt(f"Password for {email}", hide_input=True, err=True))


def new_password(prompt: str) -> str:
    """A password being chosen (sign-up, an accepted invitation): AIMODELS_PASSWORD, else
    asked twice on a terminal; with no terminal, AuthError in one line, never a prompt."""
    if password := os.environ.get(PASSWORD_ENV):
        return password
    if not sys.stdin.isatty():
        raise AuthError(f"no password: set {PASSWORD_ENV} (no terminal to ask on)")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True, err=True))


def is_seeded_account(email: str) -> bool:
    domain = email.rpartition("@")[2].casefold()
    return domain == SEEDED_DOMAIN or domain.endswith("." + SEEDED_DOMAIN)


def _actor_email(ctx: typer.Context) -> str:
    root = ctx.find_root()
    email = root.obj.as_email if isinstance(root.obj, CliContext) else None
    if not email:
        raise InvalidInput(f"say who you are: --as EMAIL (or set {ACTOR_ENV})")
    return email
