"""GoTrue's email flows: /signup, /otp, /recover, /resend, /invite, /admin/generate_link.

Each follows GoTrue's handler of the same name (`internal/api/signup.go`, `magic_link.go`,
`verify.go`, `recover.go`, `resend.go`, `invite.go`, `mail.go`): the same statuses, error
codes and bodies. What differs is stated where it does.

/verify lives in email_verify.py. Accounts are never enumerable: /recover and /otp answer
`{}` for known and unknown addresses alike, and the resend interval (max_frequency) is kept
per address in memory too, so a second quick request is refused the same way whether the
address exists or not.
"""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg
from pydantic import JsonValue
from starlette.requests import Request
from starlette.responses import Response

from aimodels.gateway.auth import email_tokens, store
from aimodels.gateway.auth.admin import DUPLICATE_EMAIL
from aimodels.gateway.auth.config import RateLimitSettings
from aimodels.gateway.auth.email_params import (
    GenerateLinkParams,
    InviteParams,
    OtpParams,
    RecoverParams,
    ResendParams,
    SignupParams,
)
from aimodels.gateway.auth.email_tokens import TokenColumn, TokenState
from aimodels.gateway.auth.email_verify import required_user
from aimodels.gateway.auth.errors import (
    AuthError,
    bad_request,
    json_response,
    not_found,
    unprocessable,
)
from aimodels.gateway.auth.guard import require_admin
from aimodels.gateway.auth.mailer import EmailAction, compose, send_mail
from aimodels.gateway.auth.models import JsonObject
from aimodels.gateway.auth.otp import action_link, generate_otp, token_hash
from aimodels.gateway.auth.params import parse_body, validate_email
from aimodels.gateway.auth.passwords import check_password_strength, hash_password, random_password
from aimodels.gateway.auth.rate_limit import RateLimiter
from aimodels.gateway.auth.redirects import referrer
from aimodels.gateway.auth.sessions import issue_session
from aimodels.gateway.auth.token import AUDIENCE, client_info
from aimodels.gateway.settings import GatewaySettings


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _too_soon(seconds_left: float) -> AuthError:
    """validateSentWithinFrequencyLimit's 429."""
    return AuthError(
        429,
        "over_email_send_rate_limit",
        f"For security purposes, you can only request this after {int(seconds_left)} seconds.",
    )


class EmailFlows:
    """The handlers, sharing the process's rate limiter and recent-send memory."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self._last_request: dict[tuple[str, str], dt.datetime] = {}

    # -- shared steps --------------------------------------------------------------------

    def _check_frequency(
        self, settings: GatewaySettings, kind: str, email: str, sent_at: dt.datetime | None
    ) -> None:
        """max_frequency between two emails of one kind to one address (known or not)."""
        interval = dt.timedelta(seconds=settings.auth_flows.max_frequency_seconds)
        now = _now()
        recent = [t for t in (sent_at, self._last_request.get((kind, email))) if t is not None]
        if len(self._last_request) > 100_000:
            self._last_request.clear()  # bounded memory; the database still holds sent_at
        for moment in recent:
            if moment + interval > now:
                raise _too_soon((moment + interval - now).total_seconds())
        self._last_request[(kind, email)] = now

    async def _send_link(
        self,
        conn: store.Conn,
        settings: GatewaySettings,
        state: TokenState,
        action: EmailAction,
        column: TokenColumn,
        redirect_to: str,
        *,
        to: str | None = None,
    ) -> None:
        """New code + hashed token in `column`, then the email with link and code."""
        address = to or state.email or ""
        otp = generate_otp(settings.auth_flows.otp_length)
        hashed = token_hash(address, otp)
        link = action_link(settings.jwt_issuer, hashed, action.value, redirect_to)
        self.limiter.check_email()
        await send_mail(settings.auth_flows, compose(action, to=address, link=link, otp=otp))
        await email_tokens.store_token(conn, state.id, column, hashed, _now())

    async def _create_user(
        self,
        conn: store.Conn,
        *,
        email: str,
        password: str | None,
        data: JsonObject,
        invited: bool,
    ) -> uuid.UUID:
        """signupNewUser + createNewIdentity; GoTrue's 500 when the database refuses it."""
        user_id = uuid.uuid4()
        now = _now()
        password_hash = await hash_password(password) if password else ""
        try:
            async with conn.transaction():
                await store.insert_user(
                    conn,
                    user_id=user_id,
                    aud=AUDIENCE,
                    role=AUDIENCE,
                    email=email,
                    phone=None,
                    password_hash=password_hash,
                    app_metadata={"provider": "email", "providers": ["email"]},
                    user_metadata=data,
                    email_confirmed_at=None,
                    phone_confirmed_at=None,
                    now=now,
                )
                if invited:
                    await store.update_user_columns(conn, user_id, now, invited_at=now)
                identity: JsonObject = {
                    "sub": str(user_id),
                    "email": email,
                    "email_verified": False,
                    "phone_verified": False,
                }
                for key, value in data.items():
                    identity.setdefault(key, value)
                await store.insert_identity(
                    conn, user_id=user_id, provider="email", identity_data=identity, now=now
                )
        except psycopg.Error as error:
            # A trigger of the project refused the row (e.g. metadata it does not accept).
            raise AuthError(500, "unexpected_failure", "Database error saving new user") from error
        return user_id

    async def _state(self, conn: store.Conn, user_id: uuid.UUID) -> TokenState:
        state = await email_tokens.load_state(conn, user_id)
        if state is None:
            raise not_found("user_not_found", "User not found")
        return state

    async def _confirm_or_resend(
        self,
        conn: store.Conn,
        settings: GatewaySettings,
        user_id: uuid.UUID,
        redirect_to: str,
    ) -> None:
        """After a sign-up: confirm at once (autoconfirm) or send the confirmation email."""
        if settings.mailer_autoconfirm:
            await email_tokens.confirm_email(conn, user_id, _now())
            return
        state = await self._state(conn, user_id)
        email = state.email or ""
        self._check_frequency(settings, "confirmation", email, state.confirmation_sent_at)
        await self._send_link(
            conn, settings, state, EmailAction.SIGNUP, TokenColumn.CONFIRMATION, redirect_to
        )

    # -- POST /signup --------------------------------------------------------------------

    async def signup(
        self, request: Request, conn: store.Conn, settings: GatewaySettings
    ) -> Response | AuthError:
        if not settings.auth_flows.enable_signup:
            raise unprocessable("signup_disabled", "Signups not allowed for this instance")
        params = parse_body(await request.body(), SignupParams)
        if params.phone:
            raise bad_request("phone_provider_disabled", "Phone signups are disabled")
        if not params.password:
            raise unprocessable("validation_failed", "Signup requires a valid password")
        check_password_strength(params.password, settings.password_min_length)
        email = validate_email(params.email or "")
        redirect_to = referrer(
            settings.auth_flows, request.query_params.get("redirect_to"), request.headers
        )
        data: JsonObject = dict(params.data or {})
        existing = await store.find_user_by_email(conn, email, AUDIENCE)
        if existing is not None and existing.email_confirmed_at is not None:
            if settings.mailer_autoconfirm:
                raise unprocessable("user_already_exists", "User already registered")
            # sanitizeUser: a look-alike of a fresh sign-up, so the address is not revealed.
            return json_response(200, _sanitized_user(email, data))
        if existing is None:
            user_id = await self._create_user(
                conn, email=email, password=params.password, data=data, invited=False
            )
        else:
            user_id = existing.id
        await self._confirm_or_resend(conn, settings, user_id, redirect_to)
        user = await required_user(conn, user_id)
        if user.email_confirmed_at is not None:
            issued = await issue_session(conn, settings, user, client_info(request), _now())
            return json_response(200, issued.response.model_dump(mode="json", exclude_none=True))
        return json_response(200, user.to_json())

    # -- POST /otp (magic link and email code) -------------------------------------------

    async def otp(
        self, request: Request, conn: store.Conn, settings: GatewaySettings
    ) -> Response | AuthError:
        params = parse_body(await request.body(), OtpParams)
        if params.phone:
            raise bad_request("phone_provider_disabled", "Unsupported phone provider")
        if not params.email:
            raise bad_request("validation_failed", "One of email or phone must be set")
        email = validate_email(params.email)
        redirect_to = referrer(
            settings.auth_flows, request.query_params.get("redirect_to"), request.headers
        )
        user = await store.find_user_by_email(conn, email, AUDIENCE)
        if user is None or user.email_confirmed_at is None:
            if not params.create_user:
                raise unprocessable("otp_disabled", "Signups not allowed for otp")
            if not settings.auth_flows.enable_signup:
                raise unprocessable("signup_disabled", "Signups not allowed for this instance")
            if user is None:
                user_id = await self._create_user(
                    conn,
                    email=email,
                    password=random_password(),
                    data=dict(params.data or {}),
                    invited=False,
                )
            else:
                user_id = user.id
            if not settings.mailer_autoconfirm:
                await self._confirm_or_resend(conn, settings, user_id, redirect_to)
                return json_response(200, {})
            await email_tokens.confirm_email(conn, user_id, _now())
        else:
            user_id = user.id
        state = await self._state(conn, user_id)
        self._check_frequency(settings, "otp", email, state.recovery_sent_at)
        await self._send_link(
            conn, settings, state, EmailAction.MAGICLINK, TokenColumn.RECOVERY, redirect_to
        )
        return json_response(200, {})

    # -- POST /recover -------------------------------------------------------------------

    async def recover(
        self, request: Request, conn: store.Conn, settings: GatewaySettings
    ) -> Response | AuthError:
        params = parse_body(await request.body(), RecoverParams)
        if not params.email:
            raise bad_request("validation_failed", "Password recovery requires an email")
        email = validate_email(params.email)
        redirect_to = referrer(
            settings.auth_flows, request.query_params.get("redirect_to"), request.headers
        )
        user = await store.find_user_by_email(conn, email, AUDIENCE)
        if user is None:
            self._check_frequency(settings, "recovery", email, None)
            return json_response(200, {})
        state = await self._state(conn, user.id)
        self._check_frequency(settings, "recovery", email, state.recovery_sent_at)
        await self._send_link(
            conn, settings, state, EmailAction.RECOVERY, TokenColumn.RECOVERY, redirect_to
        )
        return json_response(200, {})

    # -- POST /resend --------------------------------------------------------------------

    async def resend(
        self, request: Request, conn: store.Conn, settings: GatewaySettings
    ) -> Response | AuthError:
        """Resend: `{}` whether or not anything was sent (confirmed, unknown, no change)."""
        params = parse_body(await request.body(), ResendParams)
        if params.type not in ("signup", "email_change"):
            raise bad_request(
                "validation_failed",
                "Missing one of these types: signup, email_change, sms, phone_change",
            )
        if not params.email:
            raise bad_request("validation_failed", "Type provided requires an email address")
        email = validate_email(params.email)
        redirect_to = referrer(
            settings.auth_flows, request.query_params.get("redirect_to"), request.headers
        )
        user = await store.find_user_by_email(conn, email, AUDIENCE)
        if user is None:
            self._check_frequency(settings, params.type, email, None)
            return json_response(200, {})
        state = await self._state(conn, user.id)
        if params.type == "signup" and user.email_confirmed_at is None:
            self._check_frequency(settings, "signup", email, state.confirmation_sent_at)
            await self._send_link(
                conn, settings, state, EmailAction.SIGNUP, TokenColumn.CONFIRMATION, redirect_to
            )
        elif params.type == "email_change" and state.email_change:
            self._check_frequency(settings, "email_change", email, state.email_change_sent_at)
            await self.send_email_change(conn, settings, state, redirect_to)
        return json_response(200, {})

    async def send_email_change(
        self, conn: store.Conn, settings: GatewaySettings, state: TokenState, redirect_to: str
    ) -> None:
        """sendEmailChange: a link to the new address, and one to the current address too
        when double_confirm_changes is on."""
        await self._send_link(
            conn,
            settings,
            state,
            EmailAction.EMAIL_CHANGE,
            TokenColumn.EMAIL_CHANGE_NEW,
            redirect_to,
            to=state.email_change or "",
        )
        if settings.auth_flows.double_confirm_changes and state.email:
            await self._send_link(
                conn,
                settings,
                state,
                EmailAction.EMAIL_CHANGE,
                TokenColumn.EMAIL_CHANGE_CURRENT,
                redirect_to,
                to=state.email,
            )
        await store.update_user_columns(conn, state.id, _now(), email_change_confirm_status=0)

    # -- POST /invite (service role) -----------------------------------------------------

    async def invite(
        self, request: Request, conn: store.Conn, settings: GatewaySettings
    ) -> Response | AuthError:
        await require_admin(conn, settings, request.headers)
        params = parse_body(await request.body(), InviteParams)
        email = validate_email(params.email or "")
        redirect_to = referrer(
            settings.auth_flows, request.query_params.get("redirect_to"), request.headers
        )
        user = await store.find_user_by_email(conn, email, AUDIENCE)
        if user is not None and user.email_confirmed_at is not None:
            raise unprocessable("email_exists", DUPLICATE_EMAIL)
        if user is None:
            user_id = await self._create_user(
                conn, email=email, password=None, data=dict(params.data or {}), invited=True
            )
        else:
            user_id = user.id
            await store.update_user_columns(conn, user_id, _now(), invited_at=_now())
        state = await self._state(conn, user_id)
        await self._send_link(
            conn, settings, state, EmailAction.INVITE, TokenColumn.CONFIRMATION, redirect_to
        )
        return json_response(200, (await required_user(conn, user_id)).to_json())

    # -- POST /admin/generate_link (service role) ----------------------------------------

    async def generate_link(
        self, request: Request, conn: store.Conn, settings: GatewaySettings
    ) -> Response | AuthError:
        """adminGenerateLink: the link and code an email would carry, without sending it."""
        await require_admin(conn, settings, request.headers)
        params = parse_body(await request.body(), GenerateLinkParams)
        email = validate_email(params.email or "")
        redirect_to = referrer(settings.auth_flows, params.redirect_to, request.headers)
        kind = params.type or ""
        user = await store.find_user_by_email(conn, email, AUDIENCE)
        if user is None:
            if kind == "magiclink":
                kind = "signup"
            elif kind in ("recovery", "email_change_current", "email_change_new"):
                raise not_found("user_not_found", "User with this email not found")
            if kind == "signup" and not params.password and params.type == "signup":
                raise unprocessable("validation_failed", "Signup requires a valid password")
            if kind in ("signup", "invite"):
                user_id = await self._create_user(
                    conn,
                    email=email,
                    password=params.password or (None if kind == "invite" else random_password()),
                    data=dict(params.data or {}),
                    invited=kind == "invite",
                )
            else:
                raise bad_request("validation_failed", "Invalid email action link type requested")
        else:
            user_id = user.id
            if kind in ("signup", "invite") and user.email_confirmed_at is not None:
                raise unprocessable("email_exists", DUPLICATE_EMAIL)
        columns = {
            "signup": (EmailAction.SIGNUP, TokenColumn.CONFIRMATION),
            "invite": (EmailAction.INVITE, TokenColumn.CONFIRMATION),
            "magiclink": (EmailAction.MAGICLINK, TokenColumn.RECOVERY),
            "recovery": (EmailAction.RECOVERY, TokenColumn.RECOVERY),
        }
        if kind not in columns:
            raise bad_request("validation_failed", "Invalid email action link type requested")
        action, column = columns[kind]
        otp = generate_otp(settings.auth_flows.otp_length)
        hashed = token_hash(email, otp)
        await email_tokens.store_token(conn, user_id, column, hashed, _now())
        body = (await required_user(conn, user_id)).to_json()
        body.update(
            action_link=action_link(settings.jwt_issuer, hashed, action.value, redirect_to),
            email_otp=otp,
            hashed_token=hashed,
            verification_type=action.value,
            redirect_to=redirect_to,
        )
        return json_response(200, body)


def _sanitized_user(email: str, data: dict[str, JsonValue]) -> JsonObject:
    """sanitizeUser: a random id and a fresh unconfirmed look, whoever owns the address."""
    now = _now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "id": str(uuid.uuid4()),
        "aud": AUDIENCE,
        "role": "",
        "email": email,
        "phone": "",
        "confirmation_sent_at": now,
        "app_metadata": {"provider": "email", "providers": ["email"]},
        "user_metadata": dict(data),
        "identities": [],
        "created_at": now,
        "updated_at": now,
        "is_anonymous": False,
    }


async def mail_email_change(
    conn: store.Conn, settings: GatewaySettings, user_id: uuid.UUID, redirect_to: str
) -> None:
    """PUT /user's email change: the confirmation links, once the change is recorded."""
    state = await email_tokens.load_state(conn, user_id)
    if state is not None and state.email_change:
        # The request itself was rate limited by PUT /user's own path.
        flows = EmailFlows(RateLimiter(RateLimitSettings(enabled=False)))
        await flows.send_email_change(conn, settings, state, redirect_to)
