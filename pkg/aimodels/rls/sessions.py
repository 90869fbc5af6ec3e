"""Signed-in HTTP sessions, one per actor, made by supabase-py exactly as an application would.

Each account signs in through the API (GoTrue password grant) with supabase-py; probes are
then sent on supabase-py's own PostgREST HTTP session (same base URL, apikey and bearer
token) as plain requests, so the runner sees the exact HTTP status and error code that a
client would have turned into an exception.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import httpx
from supabase import Client, ClientOptions, create_client

from aimodels.rls.cases import Actor, ActorKind
from aimodels.rls.target import Target


class SignInFailed(RuntimeError):
    """A seeded account could not sign in: the seed or the auth API is broken."""


@dataclass
class ActorSession:
    """One actor's connection to /rest/v1; `user_id` is None for anon and service_role."""

    actor: Actor
    client: Client
    user_id: str | None = None

    @property
    def http(self) -> httpx.Client:
        return self.client.postgrest.session

    def close(self) -> None:
        if self.user_id is not None:
            # Local sign-out only: a global one would also end other runs' sessions.
            with contextlib.suppress(Exception):
                self.client.auth.sign_out({"scope": "local"})
        self.client.postgrest.aclose()


def _options() -> ClientOptions:
    return ClientOptions(auto_refresh_token=False, persist_session=False)


def open_session(target: Target, actor: Actor, password: str) -> ActorSession:
    """anon and service_role use their key; an account signs in with its password."""
    if actor.kind is ActorKind.SERVICE_ROLE:
        return ActorSession(
            actor, create_client(target.api_url, target.service_role_key, _options())
        )
    client = create_client(target.api_url, target.anon_key, _options())
    if actor.kind is ActorKind.ANON:
        return ActorSession(actor, client)
    if actor.email is None:
        raise SignInFailed(f"actor {actor.name} is an account without an email")
    user_id, role = _sign_in(client, actor.email, password)
    if actor.token_role is not None:
        # The platform sets the role by hand, the account signs in again (a token with that
        # role), and the role is put back: only this session's token carries it.
        admin = create_client(target.api_url, target.service_role_key, _options()).auth.admin
        admin.update_user_by_id(user_id, {"role": actor.token_role})
        try:
            client.auth.sign_out({"scope": "local"})
            _sign_in(client, actor.email, password)
        finally:
            admin.update_user_by_id(user_id, {"role": role})
    return ActorSession(actor, client, user_id=user_id)


def _sign_in(client: Client, email: str, password: str) -> tuple[str, str]:
    """The account's id and the role its token carries."""
    try:
        response = client.auth.sign_in_with_password({"email": email, "password": password})
    except Exception as error:
        raise SignInFailed(f"{email} could not sign in: {error}") from error
    if response.user is None:
        raise SignInFailed(f"{email} signed in but the API returned no user")
    return response.user.id, response.user.role or ""
