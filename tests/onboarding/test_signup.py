"""Sign-up through supabase-py: confirm by the emailed link, sign in, own a new free org."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from supabase import Client

from aimodels.stack.state import StackInfo
from tests.onboarding.support import SITE_URL, Mailbox, follow, new_email

PASSWORD = "onboarding-pass-1"
SEEDED_ADMIN = "admin@acme-law.example.test"


def test_sign_up_confirm_through_the_mail_catcher_and_own_a_free_org(
    new_client: Callable[[], Client], mailbox: Mailbox
) -> None:
    email = new_email("founder")
    client = new_client()
    signed_up = client.auth.sign_up(
        {
            "email": email,
            "password": PASSWORD,
            "options": {"data": {"org_name": "Founders & Co", "org_type": "software"}},
        }
    )
    assert signed_up.session is None, "with confirmations on, sign-up gives no session yet"
    assert signed_up.user is not None and signed_up.user.email_confirmed_at is None

    message = mailbox.wait_for(email, "Confirm Your Signup")
    followed = follow(message.links[0])
    assert followed.status == 303
    assert followed.target == SITE_URL
    assert followed.fragment["type"] == "signup" and followed.fragment["access_token"]

    client.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    profile = (
        client.table("profiles")
        .select("role, organizations(name, type, pricing_plan)")
        .single()
        .execute()
        .data
    )
    assert profile == {
        "role": "admin",
        "organizations": {"name": "Founders & Co", "type": "software", "pricing_plan": "free"},
    }, "the confirmed founder is admin of a new free organization"
    names = [row["name"] for row in client.table("ai_models_system").select("name").execute().data]
    assert names == ["General Writing Assistant"], "a free software org sees the free model only"


def test_the_confirmation_link_works_once(
    new_client: Callable[[], Client], mailbox: Mailbox
) -> None:
    email = new_email("once")
    new_client().auth.sign_up(
        {
            "email": email,
            "password": PASSWORD,
            "options": {"data": {"org_name": "Once", "org_type": "retail"}},
        }
    )
    link = mailbox.wait_for(email, "Confirm Your Signup").links[0]
    assert "access_token" in follow(link).fragment
    again = follow(link)
    assert again.fragment == {
        "error": "access_denied",
        "error_code": "otp_expired",
        "error_description": "Email link is invalid or has expired",
        "sb": "",
    }, "a used link redirects with GoTrue's error fragment"


def test_forged_role_and_org_in_metadata_are_ignored(
    new_client: Callable[[], Client], mailbox: Mailbox, db: StackInfo
) -> None:
    email = new_email("forger")
    acme = "00000000-0000-0000-0001-000000000001"
    new_client().auth.sign_up(
        {
            "email": email,
            "password": PASSWORD,
            "options": {
                "data": {
                    "org_name": "Forgers",
                    "org_type": "retail",
                    "role": "superadmin",
                    "organization_id": acme,
                    "pricing_plan": "enterprise",
                }
            },
        }
    )
    follow(mailbox.wait_for(email, "Confirm Your Signup").links[0])
    with psycopg.connect(db.db_url) as conn:
        row = conn.execute(
            "select p.role, p.organization_id::text, o.pricing_plan from public.profiles p"
            " join public.organizations o on o.id = p.organization_id"
            " join auth.users u on u.id = p.id where u.email = %s",
            (email,),
        ).fetchone()
    assert row is not None
    role, org_id, plan = row
    assert (role, plan) == ("admin", "free") and org_id != acme, (
        "metadata cannot choose the role, the organization or the plan"
    )


def test_an_unknown_org_type_refuses_the_sign_up_and_creates_nothing(
    new_client: Callable[[], Client], db: StackInfo
) -> None:
    email = new_email("badtype")
    client = new_client()
    try:
        client.auth.sign_up(
            {
                "email": email,
                "password": PASSWORD,
                "options": {"data": {"org_name": "X", "org_type": "casino"}},
            }
        )
    except Exception as error:  # supabase-py raises AuthApiError on GoTrue's 500
        assert "Database error saving new user" in str(error)
    else:
        raise AssertionError("a sign-up with an unknown org_type was accepted")
    with psycopg.connect(db.db_url) as conn:
        found = conn.execute(
            "select count(*) from auth.users where email = %s", (email,)
        ).fetchone()
    assert found == (0,), "the refused sign-up left no account"


def test_sign_up_with_a_registered_email_answers_as_gotrue_does(
    new_client: Callable[[], Client], mailbox: Mailbox, db: StackInfo
) -> None:
    """With confirmations on, GoTrue answers 200 with an obfuscated user and sends nothing."""
    before = len(mailbox.messages_to(SEEDED_ADMIN))
    answer = new_client().auth.sign_up({"email": SEEDED_ADMIN, "password": PASSWORD})
    assert answer.session is None and answer.user is not None
    with psycopg.connect(db.db_url) as conn:
        real_id = conn.execute(
            "select id::text from auth.users where email = %s", (SEEDED_ADMIN,)
        ).fetchone()
    assert real_id is not None and answer.user.id != real_id[0], (
        "the real account id is not revealed"
    )
    assert answer.user.identities == []
    assert len(mailbox.messages_to(SEEDED_ADMIN)) == before, "no email to the account's owner"
