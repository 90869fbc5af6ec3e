"""Magic link, email code, password recovery and email change through supabase-py, and the
attacks on them: a foreign redirect, account enumeration, resend floods."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg
import pytest
import requests
from supabase import Client
from supabase_auth.errors import AuthApiError

from aimodels.stack.state import StackInfo
from tests.onboarding.support import SITE_URL, Mailbox, code_in, follow, new_email

PASSWORD = "onboarding-pass-1"
HALF_CONFIRMED = (
    "Confirmation link accepted. Please proceed to confirm link sent to the other email"
)


@pytest.fixture
def account(db: StackInfo) -> Callable[[], str]:
    """A confirmed account made through the admin API (password PASSWORD)."""

    def make() -> str:
        email = new_email("member")
        answer = requests.post(
            f"{db.api_url}/auth/v1/admin/users",
            json={"email": email, "password": PASSWORD, "email_confirm": True},
            headers={
                "apikey": db.service_role_key,
                "Authorization": f"Bearer {db.service_role_key}",
            },
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return email

    return make


def test_magic_link_sign_in(
    new_client: Callable[[], Client], mailbox: Mailbox, account: Callable[[], str]
) -> None:
    email = account()
    new_client().auth.sign_in_with_otp({"email": email, "options": {"should_create_user": False}})
    followed = follow(mailbox.wait_for(email, "Your Magic Link").links[0])
    assert followed.status == 303 and followed.fragment["type"] == "magiclink"
    client = new_client()
    client.auth.set_session(followed.fragment["access_token"], followed.fragment["refresh_token"])
    user = client.auth.get_user()
    assert user is not None and user.user.email == email


def test_email_code_sign_in_works_once(
    new_client: Callable[[], Client], mailbox: Mailbox, account: Callable[[], str]
) -> None:
    email = account()
    client = new_client()
    client.auth.sign_in_with_otp({"email": email})
    code = code_in(mailbox.wait_for(email, "Your Magic Link"))
    verified = client.auth.verify_otp({"email": email, "token": code, "type": "email"})
    assert verified.session is not None and verified.user is not None
    assert verified.user.email == email
    with pytest.raises(AuthApiError) as reused:
        new_client().auth.verify_otp({"email": email, "token": code, "type": "email"})
    assert reused.value.code == "otp_expired" and reused.value.status == 403


def test_a_wrong_code_is_refused(
    new_client: Callable[[], Client], account: Callable[[], str]
) -> None:
    email = account()
    new_client().auth.sign_in_with_otp({"email": email})
    with pytest.raises(AuthApiError) as refused:
        new_client().auth.verify_otp({"email": email, "token": "000000", "type": "email"})
    assert refused.value.code == "otp_expired"


def test_password_recovery(
    new_client: Callable[[], Client], mailbox: Mailbox, account: Callable[[], str]
) -> None:
    email = account()
    new_client().auth.reset_password_for_email(email)
    code = code_in(mailbox.wait_for(email, "Reset Your Password"))
    client = new_client()
    client.auth.verify_otp({"email": email, "token": code, "type": "recovery"})
    client.auth.update_user({"password": "recovered-pass-2"})
    signed_in = new_client().auth.sign_in_with_password(
        {"email": email, "password": "recovered-pass-2"}
    )
    assert signed_in.session is not None, "the new password signs in"
    with pytest.raises(AuthApiError):
        new_client().auth.sign_in_with_password({"email": email, "password": PASSWORD})


def test_email_change_needs_both_addresses_confirmed(
    new_client: Callable[[], Client], mailbox: Mailbox, account: Callable[[], str]
) -> None:
    email, new_address = account(), new_email("moved")
    client = new_client()
    client.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    client.auth.update_user({"email": new_address})
    to_new = mailbox.wait_for(new_address, "Confirm Email Change")
    to_current = mailbox.wait_for(email, "Confirm Email Change")
    first = follow(to_new.links[0])
    assert first.fragment == {
        "message": HALF_CONFIRMED,
        "sb": "",
    }
    second = follow(to_current.links[0])
    assert second.fragment["type"] == "email_change"
    signed_in = new_client().auth.sign_in_with_password(
        {"email": new_address, "password": PASSWORD}
    )
    assert signed_in.user is not None and signed_in.user.email == new_address


def test_a_redirect_to_a_foreign_host_is_replaced_by_the_site_url(
    new_client: Callable[[], Client], mailbox: Mailbox, account: Callable[[], str]
) -> None:
    email = account()
    new_client().auth.sign_in_with_otp(
        {"email": email, "options": {"email_redirect_to": "https://evil.example.com/steal"}}
    )
    link = mailbox.wait_for(email, "Your Magic Link").links[0]
    assert "evil.example.com" not in link
    followed = follow(link)
    assert followed.target == SITE_URL and "access_token" in followed.fragment, (
        "the session goes to the site, never to the foreign host"
    )


def test_an_allowed_redirect_is_kept(
    new_client: Callable[[], Client], mailbox: Mailbox, account: Callable[[], str]
) -> None:
    email = account()
    new_client().auth.sign_in_with_otp(
        {"email": email, "options": {"email_redirect_to": "https://127.0.0.1:3000"}}
    )
    followed = follow(mailbox.wait_for(email, "Your Magic Link").links[0])
    assert followed.target == "https://127.0.0.1:3000", "additional_redirect_urls are honoured"


@pytest.mark.parametrize("endpoint", ["recover", "otp"])
def test_known_and_unknown_addresses_get_the_same_answer(
    db: StackInfo, account: Callable[[], str], endpoint: str
) -> None:
    headers = {"apikey": db.anon_key, "X-Supabase-Api-Version": "2024-01-01"}
    known, unknown = account(), f"nobody-{uuid.uuid4().hex[:8]}@onboarding.example.test"
    answers = []
    for email in (known, unknown, known, unknown):
        answer = requests.post(
            f"{db.api_url}/auth/v1/{endpoint}", json={"email": email}, headers=headers, timeout=10
        )
        answers.append((answer.status_code, answer.text, answer.headers.get("x-sb-error-code")))
    assert answers[0] == answers[1] == (200, "{}", None), "one request: the same 200 {}"
    assert answers[2][0] == answers[3][0] == 429, "a quick second request: the same 429"
    assert answers[2][2] == answers[3][2] == "over_email_send_rate_limit"


def test_requesting_codes_faster_than_max_frequency_is_refused(
    new_client: Callable[[], Client], account: Callable[[], str]
) -> None:
    email = account()
    new_client().auth.sign_in_with_otp({"email": email})
    with pytest.raises(AuthApiError) as refused:
        new_client().auth.sign_in_with_otp({"email": email})
    assert refused.value.status == 429 and refused.value.code == "over_email_send_rate_limit"
    assert refused.value.message.startswith(
        "For security purposes, you can only request this after"
    )


def test_a_code_older_than_otp_expiry_is_refused(
    new_client: Callable[[], Client], mailbox: Mailbox, account: Callable[[], str], db: StackInfo
) -> None:
    email = account()
    new_client().auth.sign_in_with_otp({"email": email})
    message = mailbox.wait_for(email, "Your Magic Link")
    with psycopg.connect(db.db_url) as conn:
        # config.toml's otp_expiry is 3600 s: this code was sent two hours ago.
        conn.execute(
            "update auth.users set recovery_sent_at = now() - interval '2 hours' where email = %s",
            (email,),
        )
    with pytest.raises(AuthApiError) as refused:
        new_client().auth.verify_otp({"email": email, "token": code_in(message), "type": "email"})
    assert (refused.value.status, refused.value.code) == (403, "otp_expired")
    assert follow(message.links[0]).fragment["error_code"] == "otp_expired", "the link too"
