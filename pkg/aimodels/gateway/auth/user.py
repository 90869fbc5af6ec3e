"""GET/PUT /user and POST /logout for the signed-in user (GoTrue `user.go`, `logout.go`)."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from aimodels.gateway.auth import store
from aimodels.gateway.auth.email_flows import mail_email_change
from aimodels.gateway.auth.errors import AuthError, bad_request, forbidden, json_response
from aimodels.gateway.auth.guard import ADMIN_ROLES, require_authentication
from aimodels.gateway.auth.params import (
    UserUpdateParams,
    merge_metadata,
    parse_body,
    validate_email,
)
from aimodels.gateway.auth.passwords import (
    check_password_strength,
    hash_password,
    verify_password,
)
from aimodels.gateway.auth.redirects import referrer
from aimodels.gateway.auth.token import AUDIENCE
from aimodels.gateway.settings import GatewaySettings


async def get_user(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    caller = await require_authentication(conn, settings, request.headers)
    if not caller.audiences or caller.audiences[0] != AUDIENCE:
        raise bad_request("validation_failed", "Token audience doesn't match request audience")
    assert caller.user is not None
    return json_response(200, caller.user.to_json())


async def update_user(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    """UserUpdate for data, password and email (an email change waits for confirmation)."""
    caller = await require_authentication(conn, settings, request.headers)
    user = caller.user
    assert user is not None
    params = parse_body(await request.body(), UserUpdateParams)
    email = validate_email(params.email) if params.email else ""
    if params.password is not None:
        check_password_strength(params.password, settings.password_min_length)
    if params.app_metadata is not None and user.role not in ADMIN_ROLES:
        raise forbidden("not_admin", "Updating app_metadata requires admin privileges")
    if (
        email
        and email != (user.email or "")
        and await store.email_taken(conn, email, AUDIENCE, user.id)
    ):
        raise AuthError(
            422, "email_exists", "A user with this email address has already been registered"
        )
    now = dt.datetime.now(dt.UTC)
    if params.password is not None:
        if params.password and await verify_password(params.password, user.encrypted_password):
            raise AuthError(
                422, "same_password", "New password should be different from the old password."
            )
        await store.update_user_columns(
            conn, user.id, now, encrypted_password=await hash_password(params.password)
        )
        # User.UpdatePassword: every other session of the user ends.
        session_id = caller.session.id if caller.session else None
        await store.delete_sessions(conn, user.id, keep=session_id)
    if params.data is not None:
        metadata = merge_metadata(user.raw_user_meta_data, params.data)
        await store.update_user_columns(conn, user.id, now, raw_user_meta_data=metadata)
    if params.app_metadata is not None:
        metadata = merge_metadata(user.raw_app_meta_data, params.app_metadata)
        await store.update_user_columns(conn, user.id, now, raw_app_meta_data=metadata)
    if email and email != (user.email or ""):
        # Record the pending change, then mail its confirmation link(s) (sendEmailChange).
        await store.update_user_columns(conn, user.id, now, email_change=email)
        redirect_to = referrer(
            settings.auth_flows, request.query_params.get("redirect_to"), request.headers
        )
        await mail_email_change(conn, settings, user.id, redirect_to)
    updated = await store.load_user(conn, user.id)
    assert updated is not None
    return json_response(200, updated.to_json())


async def logout(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    """Logout: global (default) ends every session, local this one, others all but this."""
    caller = await require_authentication(conn, settings, request.headers)
    scope = request.query_params.get("scope", "")
    if scope not in ("", "global", "local", "others"):
        raise bad_request("validation_failed", f'Unsupported logout scope "{scope}"')
    assert caller.user is not None
    session = caller.session
    if session is not None and scope == "local":
        await store.delete_sessions(conn, caller.user.id, only=session.id)
    elif session is not None and scope == "others":
        await store.delete_sessions(conn, caller.user.id, keep=session.id)
    else:
        await store.delete_sessions(conn, caller.user.id)
    return Response(status_code=204)
