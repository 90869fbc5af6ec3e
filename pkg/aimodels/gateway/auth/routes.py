"""The /auth/v1 routes: each handler runs in one transaction on the auth pool.

A handler returns a Response (commit), raises AuthError/OAuthError (roll back, render the
error) or returns an AuthError (commit, then render it: GoTrue's NewCommitWithError, used
when a reused refresh token revokes its family).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from aimodels.gateway.auth import admin, email_verify, store, token, user
from aimodels.gateway.auth.email_flows import EmailFlows
from aimodels.gateway.auth.errors import (
    AuthError,
    OAuthError,
    json_response,
    render_error,
    unexpected_failure,
)
from aimodels.gateway.auth.rate_limit import Limit, RateLimiter, request_rate_limited
from aimodels.gateway.settings import GatewaySettings

if TYPE_CHECKING:
    from aimodels.gateway.app import GatewayContext

log = logging.getLogger("aimodels.gateway.auth")

# The GoTrue release the Supabase CLI 3.1 runs; reported by /health.
GOTRUE_VERSION = "v2.197.0"

Handler = Callable[[Request, store.Conn, GatewaySettings], Awaitable[Response | AuthError]]
Endpoint = Callable[[Request], Awaitable[Response]]


def build_auth_routes(context: GatewayContext) -> Sequence[BaseRoute]:
    def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                async with context.auth_pool.connection() as conn, conn.transaction():
                    outcome = await handler(request, conn, context.settings)
            except (AuthError, OAuthError) as error:
                return render_error(error, request.headers)
            except Exception:
                log.exception("auth request failed: %s %s", request.method, request.url.path)
                return render_error(unexpected_failure(), request.headers)
            if isinstance(outcome, AuthError):
                return render_error(outcome, request.headers)
            return outcome

        return run

    limiter = RateLimiter(context.settings.auth_flows.rate_limits)
    flows = EmailFlows(limiter)

    def limited(limit: Limit | Callable[[Request], Limit], run: Endpoint) -> Endpoint:
        """GoTrue's limitHandler: the client's bucket is checked before any database work."""

        async def check(request: Request) -> Response:
            which = limit if isinstance(limit, Limit) else limit(request)
            if not limiter.allow(which, request.client.host if request.client else ""):
                return render_error(request_rate_limited(), request.headers)
            return await run(request)

        return check

    return [
        Route("/health", _health, methods=["GET"]),
        Route("/settings", _settings_endpoint(context.settings), methods=["GET"]),
        Route("/token", limited(_token_limit, endpoint(token.token)), methods=["POST"]),
        Route("/signup", limited(Limit.SIGN_UP, endpoint(flows.signup)), methods=["POST"]),
        Route("/otp", limited(Limit.OTP, endpoint(flows.otp)), methods=["POST"]),
        Route("/magiclink", limited(Limit.OTP, endpoint(flows.otp)), methods=["POST"]),
        Route("/recover", limited(Limit.RECOVER, endpoint(flows.recover)), methods=["POST"]),
        Route("/resend", limited(Limit.RESEND, endpoint(flows.resend)), methods=["POST"]),
        Route(
            "/verify", limited(Limit.VERIFY, endpoint(email_verify.verify)), methods=["GET", "POST"]
        ),
        Route("/invite", endpoint(flows.invite), methods=["POST"]),
        Route("/admin/generate_link", endpoint(flows.generate_link), methods=["POST"]),
        Route("/user", endpoint(user.get_user), methods=["GET"]),
        Route("/user", limited(Limit.USER, endpoint(user.update_user)), methods=["PUT"]),
        Route("/logout", endpoint(user.logout), methods=["POST"]),
        Route("/admin/users", endpoint(admin.list_users), methods=["GET"]),
        Route("/admin/users", endpoint(admin.create_user), methods=["POST"]),
        Route("/admin/users/{user_id}", endpoint(admin.get_user), methods=["GET"]),
        Route("/admin/users/{user_id}", endpoint(admin.update_user), methods=["PUT"]),
        Route("/admin/users/{user_id}", endpoint(admin.delete_user), methods=["DELETE"]),
    ]


def _token_limit(request: Request) -> Limit:
    """Sign-ins share sign_in_sign_ups with sign-ups; refreshes have their own bucket."""
    grant = request.query_params.get("grant_type", "")
    return Limit.TOKEN_REFRESH if grant == "refresh_token" else Limit.SIGN_IN


async def _health(_request: Request) -> Response:
    return json_response(
        200,
        {
            "version": GOTRUE_VERSION,
            "name": "GoTrue",
            "description": "GoTrue is a user registration and authentication API",
        },
    )


_PROVIDERS = (
    "anonymous_users",
    "apple",
    "azure",
    "bitbucket",
    "discord",
    "facebook",
    "snapchat",
    "figma",
    "fly",
    "github",
    "gitlab",
    "google",
    "keycloak",
    "kakao",
    "linkedin",
    "linkedin_oidc",
    "notion",
    "spotify",
    "slack",
    "slack_oidc",
    "workos",
    "twitch",
    "twitter",
    "email",
    "phone",
    "zoom",
)


def _settings_endpoint(settings: GatewaySettings) -> Callable[[Request], Awaitable[Response]]:
    """GET /settings: only email sign-in is on; sign-up and autoconfirm as configured."""
    body = {
        "external": {name: name == "email" for name in _PROVIDERS},
        "disable_signup": not settings.auth_flows.enable_signup,
        "mailer_autoconfirm": settings.mailer_autoconfirm,
        "phone_autoconfirm": False,
        "sms_provider": "twilio",
        "saml_enabled": False,
        "saml_private_key_next_configured": False,
        "passkeys_enabled": False,
    }

    async def settings_endpoint(_request: Request) -> Response:
        return json_response(200, body)

    return settings_endpoint
