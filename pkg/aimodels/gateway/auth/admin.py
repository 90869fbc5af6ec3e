"""The admin users API for service_role callers (GoTrue `internal/api/admin.go`)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from aimodels.gateway.auth import store
from aimodels.gateway.auth.errors import AuthError, bad_request, json_response, not_found
from aimodels.gateway.auth.guard import require_admin
from aimodels.gateway.auth.models import JsonObject, UserRecord
from aimodels.gateway.auth.params import (
    AdminUserDeleteParams,
    AdminUserParams,
    merge_metadata,
    parse_body,
    validate_email,
    validate_phone,
)
from aimodels.gateway.auth.passwords import check_password_strength, hash_password, random_password
from aimodels.gateway.auth.token import AUDIENCE
from aimodels.gateway.settings import GatewaySettings

DEFAULT_PER_PAGE = 50
DEFAULT_ROLE = "authenticated"
DUPLICATE_EMAIL = "A user with this email address has already been registered"
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def _parse_go_duration(text: str) -> dt.timedelta:
    """time.ParseDuration for the forms ban_duration takes ("24h", "1h30m", "none")."""
    if text == "none":
        return dt.timedelta(0)
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise bad_request(
            "validation_failed",
            f'invalid format for ban duration: time: invalid duration "{text}"',
        )
    return dt.timedelta(seconds=sum(float(n) * _DURATION_UNITS[u] for n, u in parts))


async def list_users(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    """adminUsers: newest first, `page`/`per_page`, X-Total-Count and Link headers."""
    await require_admin(conn, settings, request.headers)
    query = request.query_params
    try:
        page = int(query.get("page") or 1)
        per_page = int(query.get("per_page") or DEFAULT_PER_PAGE)
        if page < 0 or per_page < 0:
            raise ValueError
    except ValueError:
        raise bad_request(
            "validation_failed", "Bad Pagination Parameters: invalid syntax"
        ) from None
    users, total = await store.list_users(
        conn, AUDIENCE, page=page, per_page=per_page, filter_text=query.get("filter", "")
    )
    headers = {
        "Link": _pagination_link(request, page, per_page, total),
        "X-Total-Count": str(total),
    }
    body = {"users": [user.to_json() for user in users], "aud": AUDIENCE}
    return json_response(200, body, headers)


def _pagination_link(request: Request, page: int, per_page: int, total: int) -> str:
    """addPaginationHeaders: URLs as GoTrue sees them (its own path, sorted query)."""
    total_pages = -(-total // per_page) if per_page else 0
    path = request.url.path.removeprefix(request.scope.get("root_path", ""))
    params = dict(request.query_params)

    def page_url(number: int) -> str:
        return f"{path}?{urlencode(sorted({**params, 'page': str(number)}.items()))}"

    link = ""
    if total_pages > page:
        link += f'<{page_url(page + 1)}>; rel="next", '
    return link + f'<{page_url(total_pages)}>; rel="last"'


async def _load_target(conn: store.Conn, request: Request) -> UserRecord:
    """loadUser: the {user_id} of the path, which must be a UUID of an existing user."""
    try:
        user_id = uuid.UUID(request.path_params["user_id"])
    except ValueError:
        raise not_found("validation_failed", "user_id must be an UUID") from None
    user = await store.load_user(conn, user_id)
    if user is None:
        raise not_found("user_not_found", "User not found")
    return user


async def get_user(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    await require_admin(conn, settings, request.headers)
    return json_response(200, (await _load_target(conn, request)).to_json())


async def create_user(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    """adminUserCreate: email and/or phone, password or hash, metadata, confirmations."""
    await require_admin(conn, settings, request.headers)
    params = parse_body(await request.body(), AdminUserParams)
    aud = params.aud or AUDIENCE
    if not params.email and not params.phone:
        raise bad_request(
            "validation_failed", "Cannot create a user without either an email or phone"
        )
    providers: list[str] = []
    email = phone = None
    if params.email:
        email = validate_email(params.email)
        if await store.email_taken(conn, email, aud, None):
            raise AuthError(422, "email_exists", DUPLICATE_EMAIL)
        providers.append("email")
    if params.phone:
        phone = validate_phone(params.phone)
        providers.append("phone")
    if params.password is not None and params.password_hash:
        raise bad_request(
            "validation_failed", "Only a password or a password hash should be provided"
        )
    password_hash = params.password_hash or await hash_password(
        params.password or random_password()
    )
    user_id = _custom_id(params.id) if params.id else uuid.uuid4()
    banned_for = _parse_go_duration(params.ban_duration) if params.ban_duration else None
    now = dt.datetime.now(dt.UTC)
    app_metadata: JsonObject = {"provider": providers[0], "providers": list(providers)}
    if params.app_metadata is not None:
        app_metadata = merge_metadata(app_metadata, params.app_metadata)
    await store.insert_user(
        conn,
        user_id=user_id,
        aud=aud,
        role=params.role or DEFAULT_ROLE,
        email=email,
        phone=phone,
        password_hash=password_hash,
        app_metadata=app_metadata,
        user_metadata=params.user_metadata or {},
        email_confirmed_at=now if params.email_confirm else None,
        phone_confirmed_at=now if params.phone_confirm else None,
        now=now,
    )
    if email:
        await store.insert_identity(
            conn,
            user_id=user_id,
            provider="email",
            identity_data={
                "sub": str(user_id),
                "email": email,
                "email_verified": False,
                "phone_verified": False,
            },
            now=now,
        )
    if phone:
        await store.insert_identity(
            conn,
            user_id=user_id,
            provider="phone",
            identity_data={
                "sub": str(user_id),
                "phone": phone,
                "email_verified": False,
                "phone_verified": False,
            },
            now=now,
        )
    if banned_for is not None:
        await store.update_user_columns(conn, user_id, now, banned_until=_ban_end(now, banned_for))
    created = await store.load_user(conn, user_id)
    assert created is not None
    return json_response(200, created.to_json())


def _custom_id(raw: str) -> uuid.UUID:
    try:
        custom = uuid.UUID(raw)
    except ValueError:
        raise bad_request("validation_failed", "ID must conform to the uuid v4 format") from None
    if custom.int == 0:
        raise bad_request("validation_failed", "ID cannot be a nil uuid")
    return custom


def _ban_end(now: dt.datetime, duration: dt.timedelta) -> dt.datetime | None:
    """User.Ban: a zero duration lifts the ban."""
    return now + duration if duration else None


async def update_user(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    """adminUserUpdate: role, email, phone, password, metadata, confirmations, ban."""
    await require_admin(conn, settings, request.headers)
    user = await _load_target(conn, request)
    params = parse_body(await request.body(), AdminUserParams)
    email = validate_email(params.email) if params.email else None
    phone = validate_phone(params.phone) if params.phone else None
    banned_for = _parse_go_duration(params.ban_duration) if params.ban_duration else None
    if params.password is not None:
        check_password_strength(params.password, settings.password_min_length)
    now = dt.datetime.now(dt.UTC)
    columns: dict[str, object] = {}
    if params.role:
        columns["role"] = params.role
    if params.email_confirm:
        columns["email_confirmed_at"] = now
    if params.phone_confirm:
        columns["phone_confirmed_at"] = now
    if params.password is not None:
        columns["encrypted_password"] = await hash_password(params.password)
    if email is not None:
        changes: JsonObject = {"email": email, "email_verified": params.email_confirm}
        if not await store.update_identity_data(conn, user.id, "email", changes, now):
            await store.insert_identity(
                conn,
                user_id=user.id,
                provider="email",
                identity_data={"sub": str(user.id), **changes, "phone_verified": False},
                now=now,
            )
        columns["email"] = email
    if phone is not None:
        columns["phone"] = phone
    if params.app_metadata is not None:
        columns["raw_app_meta_data"] = merge_metadata(user.raw_app_meta_data, params.app_metadata)
    if params.user_metadata is not None:
        columns["raw_user_meta_data"] = merge_metadata(
            user.raw_user_meta_data, params.user_metadata
        )
    if banned_for is not None:
        columns["banned_until"] = _ban_end(now, banned_for)
    if columns:
        await store.update_user_columns(conn, user.id, now, **columns)
    if params.password is not None:
        await store.delete_sessions(conn, user.id)  # UpdatePassword without a session
    updated = await store.load_user(conn, user.id)
    assert updated is not None
    return json_response(200, updated.to_json())


async def delete_user(
    request: Request, conn: store.Conn, settings: GatewaySettings
) -> Response | AuthError:
    """adminUserDelete: hard delete, or soft (deleted_at, sessions ended) when asked."""
    await require_admin(conn, settings, request.headers)
    user = await _load_target(conn, request)
    body = await request.body()
    params = parse_body(body, AdminUserDeleteParams) if body else AdminUserDeleteParams()
    if params.should_soft_delete:
        if user.deleted_at is None:
            now = dt.datetime.now(dt.UTC)
            await store.soft_delete_user(conn, user.id, now)
            await store.delete_sessions(conn, user.id)
    else:
        await store.delete_user(conn, user.id)
    return json_response(200, {})
