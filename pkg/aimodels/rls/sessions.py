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
    try:
        response = client.auth.sign_in_with_password({"email": actor.email, "password": password})
    except Exception as error:
        raise SignInFailed(f"{actor.email} could not sign in: {error}") from error
    if response.user is None:
        raise SignInFailed(f"{actor.email} signed in but the API returned no user")
    return ActorSession(actor, client, user_id=response.user.id)
