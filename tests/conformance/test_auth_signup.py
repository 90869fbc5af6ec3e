"""GoTrue's email-flow endpoints: exact statuses, error codes and bodies (no mail read here).

The project's config.toml has enable_signup = true and enable_confirmations = true, so a
sign-up answers with the unconfirmed user and no session.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from tests.conformance.support import ApiTarget


def _email(label: str) -> str:
    return f"conformance-{label}-{uuid.uuid4().hex[:10]}@example.test"


def _post(
    api: ApiTarget, path: str, body: object, headers: dict[str, str] | None = None
) -> requests.Response:
    return requests.post(
        f"{api.auth_url}/{path}", json=body, headers=headers or api.anon_headers(), timeout=10
    )


def _error(response: requests.Response) -> tuple[int, dict[str, object], str | None]:
    return response.status_code, response.json(), response.headers.get("x-sb-error-code")


def test_settings_report_sign_up_on_and_confirmations_required(api: ApiTarget) -> None:
    body = requests.get(f"{api.auth_url}/settings", headers=api.anon_headers(), timeout=10).json()
    assert (body["disable_signup"], body["mailer_autoconfirm"]) == (False, False)


def test_sign_up_answers_the_unconfirmed_user_without_a_session(api: ApiTarget) -> None:
    email = _email("signup")
    response = _post(
        api, "signup", {"email": email, "password": "long-enough-1", "data": {"nickname": "Ada"}}
    )
    assert response.status_code == 200
    body = response.json()
    assert "access_token" not in body
    assert (
        body["email"] == email
        and body["aud"] == "authenticated"
        and body["role"] == "authenticated"
    )
    assert "email_confirmed_at" not in body and "confirmation_sent_at" in body
    assert body["user_metadata"] == {"nickname": "Ada"}
    assert body["app_metadata"] == {"provider": "email", "providers": ["email"]}
    assert [i["provider"] for i in body["identities"]] == ["email"]


def test_sign_up_without_a_password_is_refused(api: ApiTarget) -> None:
    assert _error(_post(api, "signup", {"email": _email("nopw")})) == (
        422,
        {"code": "validation_failed", "message": "Signup requires a valid password"},
        "validation_failed",
    )


def test_sign_up_with_a_short_password_is_weak(api: ApiTarget) -> None:
    response = _post(api, "signup", {"email": _email("weak"), "password": "abc"})
    assert response.status_code == 422
    assert response.json()["code"] == "weak_password"


def test_sign_up_with_a_bad_email_is_refused(api: ApiTarget) -> None:
    assert _error(_post(api, "signup", {"email": "not-an-email", "password": "long-enough-1"})) == (
        400,
        {
            "code": "validation_failed",
            "message": "Unable to validate email address: invalid format",
        },
        "validation_failed",
    )


def test_recover_answers_an_empty_object_for_an_unknown_address(api: ApiTarget) -> None:
    response = _post(api, "recover", {"email": _email("nobody")})
    assert (response.status_code, response.text) == (200, "{}")


def test_recover_without_an_email_is_refused(api: ApiTarget) -> None:
    assert _error(_post(api, "recover", {})) == (
        400,
        {"code": "validation_failed", "message": "Password recovery requires an email"},
        "validation_failed",
    )


def test_otp_without_creating_users_refuses_an_unknown_address(api: ApiTarget) -> None:
    assert _error(_post(api, "otp", {"email": _email("nouser"), "create_user": False})) == (
        422,
        {"code": "otp_disabled", "message": "Signups not allowed for otp"},
        "otp_disabled",
    )


def test_verify_post_with_a_wrong_code_is_forbidden(api: ApiTarget) -> None:
    body = {"type": "email", "email": _email("nocode"), "token": "123456"}
    assert _error(_post(api, "verify", body)) == (
        403,
        {"code": "otp_expired", "message": "Token has expired or is invalid"},
        "otp_expired",
    )


def test_verify_post_without_a_type_is_refused(api: ApiTarget) -> None:
    assert _error(_post(api, "verify", {"token": "123456", "email": _email("x")})) == (
        400,
        {"code": "validation_failed", "message": "Verify requires a verification type"},
        "validation_failed",
    )


def test_verify_link_with_an_unknown_token_redirects_with_the_error(api: ApiTarget) -> None:
    response = requests.get(
        f"{api.auth_url}/verify",
        params={
            "token": "f" * 56,
            "type": "signup",
            "redirect_to": "http://127.0.0.1:3000/welcome",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        "http://127.0.0.1:3000/welcome#error=access_denied&error_code=otp_expired"
        "&error_description=Email+link+is+invalid+or+has+expired&sb="
    )


def test_invite_needs_the_service_role(api: ApiTarget) -> None:
    assert _error(_post(api, "invite", {"email": _email("inv")})) == (
        403,
        {"code": "not_admin", "message": "User not allowed"},
        "not_admin",
    )


def test_invite_answers_the_invited_user(api: ApiTarget) -> None:
    email = _email("invited")
    response = _post(api, "invite", {"email": email, "data": {"team": "a"}}, api.service_headers())
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == email and "invited_at" in body and "confirmation_sent_at" in body
    assert body["user_metadata"] == {"team": "a"}
    again = _post(api, "invite", {"email": email}, api.service_headers())
    assert again.status_code == 200, "an unconfirmed invitee may be invited again"


def test_generate_link_returns_the_link_and_code(api: ApiTarget) -> None:
    email = _email("link")
    response = _post(
        api, "admin/generate_link", {"type": "magiclink", "email": email}, api.service_headers()
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verification_type"] == "signup", "a magic link for a new address signs up"
    assert body["redirect_to"] == "http://127.0.0.1:3000"
    assert len(body["email_otp"]) == 6 and body["email_otp"].isdigit()
    assert len(body["hashed_token"]) == 56, "sha224 hex"
    assert body["action_link"].startswith(
        f"{api.auth_url}/verify?token={body['hashed_token']}&type=signup"
    )
    verified = _post(api, "verify", {"type": "signup", "token_hash": body["hashed_token"]})
    assert verified.status_code == 200 and verified.json()["user"]["email"] == email
    reused = _post(api, "verify", {"type": "signup", "token_hash": body["hashed_token"]})
    assert _error(reused) == (
        403,
        {"code": "otp_expired", "message": "Email link is invalid or has expired"},
        "otp_expired",
    )


def test_generate_link_for_recovery_of_an_unknown_address_is_not_found(api: ApiTarget) -> None:
    response = _post(
        api,
        "admin/generate_link",
        {"type": "recovery", "email": _email("ghost")},
        api.service_headers(),
    )
    assert _error(response) == (
        404,
        {"code": "user_not_found", "message": "User with this email not found"},
        "user_not_found",
    )


def test_resend_answers_an_empty_object_whatever_the_address(api: ApiTarget) -> None:
    confirmed = api.create_user()
    try:
        for email in (confirmed.email, _email("unknown")):
            response = _post(api, "resend", {"type": "signup", "email": email})
            assert (response.status_code, response.text) == (200, "{}"), email
    finally:
        api.delete_user(confirmed.id)


def test_resend_of_an_unknown_type_is_refused(api: ApiTarget) -> None:
    assert _error(_post(api, "resend", {"type": "magiclink", "email": _email("t")})) == (
        400,
        {
            "code": "validation_failed",
            "message": "Missing one of these types: signup, email_change, sms, phone_change",
        },
        "validation_failed",
    )
