"""GET and POST /verify: the emailed link or code signs the user in (GoTrue `verify.go`).

A link (GET, `token` = the stored hash) redirects to the allowed redirect_to with the session
in the URL fragment, or with GoTrue's error fragment; POST answers the session as JSON. The
token is matched in the column of its type, must be younger than otp_expiry, and is cleared
as it is used. Signup and invite links confirm the address (which lets the project's
triggers act on a confirmed account); an email change needs both links when
double_confirm_changes is on.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from aimodels.gateway.auth import email_tokens, store
from aimodels.gateway.auth.admin import DUPLICATE_EMAIL
from aimodels.gateway.auth.email_params import VerifyParams
from aimodels.gateway.auth.email_tokens import TokenColumn, TokenState
from aimodels.gateway.auth.errors import (
    AuthError,
    bad_request,
    forbidden,
    json_response,
    not_found,
    unprocessable,
)
from aimodels.gateway.auth.mailer import EmailAction
from aimodels.gateway.auth.models import UserRecord
from aimodels.gateway.auth.otp import token_hash
from aimodels.gateway.auth.params import parse_body, validate_email
from aimodels.gateway.auth.passwords import hash_password, random_password
from aimodels.gateway.auth.redirects import referrer
from aimodels.gateway.auth.sessions import issue_session
from aimodels.gateway.auth.token import AUDIENCE, client_info
from aimodels.gateway.settings import GatewaySettings

LINK_INVALID = "Email link is invalid or has expired"
TOKEN_INVALID = "Token has expired or is invalid"
SINGLE_CONFIRMATION = (
    "Confirmation link accepted. Please proceed to confirm link sent to the other email"
)
_OAUTH_ERRORS = {400: "invalid_request", 401: "unauthorized_client", 403: "access_denied"}
# The column holding the token of each link type (email_change has two).
TOKEN_COLUMNS = {
    EmailAction.SIGNUP: TokenColumn.CONFIRMATION,
    EmailAction.INVITE: TokenColumn.CONFIRMATION,
    EmailAction.MAGICLINK: TokenColumn.RECOVERY,
    EmailAction.RECOVERY: TokenColumn.RECOVERY,
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def required_user(conn: store.Conn, user_id: uuid.UUID) -> UserRecord:
    user = await store.load_user(conn, user_id)
    if user is None:
        raise not_found("user_not_found", "User not found")
    return user


async def verify(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    if request.method == "GET":
        return await _verify_link(request, conn, settings)
    params = parse_body(await request.body(), VerifyParams)
    kind = params.type or ""
    if not kind:
        raise bad_request("validation_failed", "Verify requires a verification type")
    if not params.token and not params.token_hash:
        raise bad_request("validation_failed", "Verify requires a token or a token hash")
    if params.token and params.token_hash:
        raise bad_request("validation_failed", "Verify requires either a token or a token hash")
    if params.token_hash:
        state, kind, column = await _match_hash(conn, settings, kind, params.token_hash)
    else:
        email = validate_email(params.email or "")
        state, kind, column = await _match_code(conn, settings, kind, email, params.token or "")
    outcome = await _complete(conn, settings, state, kind, column)
    if outcome is None:
        return json_response(200, {"msg": SINGLE_CONFIRMATION, "code": "200"})
    issued = await issue_session(conn, settings, outcome, client_info(request), _now())
    return json_response(200, issued.response.model_dump(mode="json", exclude_none=True))


async def _verify_link(request: Request, conn: store.Conn, settings: GatewaySettings) -> Response:
    token = request.query_params.get("token", "")
    kind = request.query_params.get("type", "")
    if not kind:
        raise bad_request("validation_failed", "Verify requires a verification type")
    if not token:
        raise bad_request("validation_failed", "Verify requires a token or a token hash")
    redirect_to = referrer(
        settings.auth_flows, request.query_params.get("redirect_to"), request.headers
    )
    try:
        state, kind, column = await _match_hash(conn, settings, kind, token)
        outcome = await _complete(conn, settings, state, kind, column)
    except AuthError as error:
        fragment = {"error_code": error.error_code, "error_description": error.message}
        if error.status in _OAUTH_ERRORS:
            fragment = {"error": _OAUTH_ERRORS[error.status], **fragment}
        return RedirectResponse(_with_fragment(redirect_to, fragment), status_code=303)
    if outcome is None:
        fragment = {"message": SINGLE_CONFIRMATION}
        return RedirectResponse(_with_fragment(redirect_to, fragment), status_code=303)
    issued = await issue_session(conn, settings, outcome, client_info(request), _now())
    tokens = issued.response
    fragment = {
        "access_token": tokens.access_token,
        "expires_at": str(tokens.expires_at),
        "expires_in": str(tokens.expires_in),
        "refresh_token": tokens.refresh_token,
        "token_type": tokens.token_type,
        "type": kind,
    }
    return RedirectResponse(_with_fragment(redirect_to, fragment), status_code=303)


async def _match_hash(
    conn: store.Conn, settings: GatewaySettings, kind: str, hashed: str
) -> tuple[TokenState, str, TokenColumn]:
    """verifyTokenHash: the user holding this hash in the column of `kind`, unexpired."""
    _check_kind(kind)
    columns: list[TokenColumn]
    if kind == "email":
        columns = [TokenColumn.CONFIRMATION, TokenColumn.RECOVERY]
    elif kind == "email_change":
        columns = [TokenColumn.EMAIL_CHANGE_NEW, TokenColumn.EMAIL_CHANGE_CURRENT]
    else:
        columns = [TOKEN_COLUMNS[EmailAction(kind)]]
    for column in columns:
        state = await email_tokens.find_by_token(conn, column, hashed)
        if state is not None:
            if _expired(settings, state.sent_at(column)):
                break
            return state, _resolved_kind(kind, column), column
    raise forbidden("otp_expired", LINK_INVALID)


async def _match_code(
    conn: store.Conn, settings: GatewaySettings, kind: str, email: str, code: str
) -> tuple[TokenState, str, TokenColumn]:
    """verifyUserAndToken: the code typed from the email, for that address."""
    _check_kind(kind)
    hashed = token_hash(email, code)
    if kind == "email_change":
        for column in (TokenColumn.EMAIL_CHANGE_NEW, TokenColumn.EMAIL_CHANGE_CURRENT):
            state = await email_tokens.find_by_token(conn, column, hashed)
            if state is not None and not _expired(settings, state.sent_at(column)):
                return state, kind, column
        raise forbidden("otp_expired", TOKEN_INVALID)
    user = await store.find_user_by_email(conn, email, AUDIENCE)
    state = await email_tokens.load_state(conn, user.id) if user is not None else None
    if state is None:
        raise forbidden("otp_expired", TOKEN_INVALID)
    if kind == "email":
        candidates = [TokenColumn.CONFIRMATION, TokenColumn.RECOVERY]
    else:
        candidates = [TOKEN_COLUMNS[EmailAction(kind)]]
    for column in candidates:
        stored = state.token(column)
        matches = bool(stored) and secrets.compare_digest(stored, hashed)
        if matches and not _expired(settings, state.sent_at(column)):
            return state, _resolved_kind(kind, column), column
    raise forbidden("otp_expired", TOKEN_INVALID)


async def _complete(
    conn: store.Conn,
    settings: GatewaySettings,
    state: TokenState,
    kind: str,
    column: TokenColumn,
) -> UserRecord | None:
    """signupVerify / recoverVerify / emailChangeVerify; None: one of two changes confirmed."""
    now = _now()
    user = await required_user(conn, state.id)
    if user.is_banned(now):
        raise forbidden("user_banned", "User is banned")
    if kind in ("signup", "invite"):
        if not user.has_password and user.invited_at is not None:
            # The invitee sets a real password next (PUT /user).
            password = await hash_password(random_password())
            await store.update_user_columns(conn, user.id, now, encrypted_password=password)
        await email_tokens.confirm_email(conn, user.id, now)
    elif kind in ("magiclink", "recovery"):
        await email_tokens.clear_token(conn, user.id, TokenColumn.RECOVERY, now)
        if user.email_confirmed_at is None:
            await email_tokens.confirm_email(conn, user.id, now)
    elif (
        settings.auth_flows.double_confirm_changes
        and (state.email_change_confirm_status or 0) == 0
        and state.email
    ):
        # emailChangeVerify: the first of the two links; the other must follow.
        await store.update_user_columns(
            conn, state.id, now, **{column.value: "", "email_change_confirm_status": 1}
        )
        return None
    else:
        if state.email_change and await store.email_taken(
            conn, state.email_change, AUDIENCE, state.id
        ):
            raise unprocessable("email_exists", DUPLICATE_EMAIL)
        await email_tokens.apply_email_change(conn, state, now)
    return await required_user(conn, state.id)


def _check_kind(kind: str) -> None:
    if kind not in ("signup", "invite", "magiclink", "recovery", "email_change", "email"):
        raise bad_request("validation_failed", "Unsupported verification type")


def _resolved_kind(kind: str, column: TokenColumn) -> str:
    """Type `email` becomes signup or magiclink by the column that matched (as GoTrue)."""
    if kind != "email":
        return kind
    return "signup" if column is TokenColumn.CONFIRMATION else "magiclink"


def _expired(settings: GatewaySettings, sent_at: dt.datetime | None) -> bool:
    if sent_at is None:
        return True
    return _now() > sent_at + dt.timedelta(seconds=settings.auth_flows.otp_expiry)


def _with_fragment(url: str, values: dict[str, str]) -> str:
    return f"{url.split('#', 1)[0]}#{urlencode(sorted(values.items()))}&sb="
