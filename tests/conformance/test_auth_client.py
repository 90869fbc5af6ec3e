"""supabase-py against /auth/v1, unchanged: the flows the toolkit and its tests rely on."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from supabase import create_client
from supabase_auth.errors import AuthApiError

if TYPE_CHECKING:
    from tests.conformance.support import ApiTarget, ThrowawayUser

DEV_PASSWORD = "aimodels-dev-password"


def test_sign_in_refresh_get_user_and_sign_out(
    api: ApiTarget, throwaway_user: ThrowawayUser
) -> None:
    client = create_client(api.url, api.anon_key)
    signed = client.auth.sign_in_with_password(
        {"email": throwaway_user.email, "password": throwaway_user.password}
    )
    assert signed.user is not None and signed.session is not None
    assert signed.user.id == throwaway_user.id
    assert signed.session.token_type == "bearer"

    user = client.auth.get_user()
    assert user is not None and user.user.email == throwaway_user.email

    refreshed = client.auth.refresh_session()
    assert refreshed.session is not None
    assert refreshed.session.refresh_token != signed.session.refresh_token

    updated = client.auth.update_user({"data": {"display_name": "From supabase-py"}})
    assert updated.user.user_metadata["display_name"] == "From supabase-py"

    client.auth.sign_out()
    assert client.auth.get_session() is None


def test_wrong_password_raises_invalid_credentials(
    api: ApiTarget, throwaway_user: ThrowawayUser
) -> None:
    client = create_client(api.url, api.anon_key)
    with pytest.raises(AuthApiError) as raised:
        client.auth.sign_in_with_password(
            {"email": throwaway_user.email, "password": "definitely-wrong"}
        )
    assert raised.value.status == 400
    assert raised.value.code == "invalid_credentials"
    assert raised.value.message == "Invalid login credentials"


def test_admin_create_get_update_list_delete(api: ApiTarget) -> None:
    admin = create_client(api.url, api.service_role_key).auth.admin
    email = f"supabase-py-{uuid.uuid4().hex[:10]}@example.test"
    created = admin.create_user(
        {
            "email": email,
            "password": "a-good-password",
            "email_confirm": True,
        }
    )
    try:
        assert created.user.email == email
        assert admin.get_user_by_id(created.user.id).user.id == created.user.id
        changed = admin.update_user_by_id(created.user.id, {"user_metadata": {"k": "v"}})
        assert changed.user.user_metadata == {"k": "v"}
        listed = admin.list_users(page=1, per_page=1000)
        assert created.user.id in {user.id for user in listed}
        with pytest.raises(AuthApiError) as raised:
            admin.create_user({"email": email, "password": "x" * 8})
        assert raised.value.code == "email_exists"
    finally:
        admin.delete_user(created.user.id)
    with pytest.raises(AuthApiError) as gone:
        admin.get_user_by_id(created.user.id)
    assert gone.value.status == 404
    assert gone.value.code == "user_not_found"


def test_seeded_account_signs_in_with_the_development_password(api: ApiTarget) -> None:
    """Seed users are real auth.users rows (bcrypt $2a$ from pgcrypto, confirmed email)."""
    client = create_client(api.url, api.anon_key)
    signed = client.auth.sign_in_with_password(
        {"email": "user1@acme-law.example.test", "password": DEV_PASSWORD}
    )
    assert signed.user is not None
    assert signed.user.email == "user1@acme-law.example.test"
    client.auth.sign_out()
