"""An admin invites a colleague by email; the colleague follows the link, sets a password and
joins the organization with the invited role. Foreign, reused and expired invitations fail."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import jwt
import psycopg
import pytest
from postgrest.exceptions import APIError
from supabase import Client

from aimodels.client.onboarding import OnboardingService
from aimodels.domain.onboarding import InvitedRole
from aimodels.stack.state import StackInfo
from tests.onboarding.support import SITE_URL, Mailbox, follow, new_email

DEV_PASSWORD = "aimodels-dev-password"
ADMIN = "admin@nova-software.example.test"
NOVA = "00000000-0000-0000-0001-000000000004"


def _signed_in(new_client: Callable[[], Client], email: str, password: str) -> Client:
    client = new_client()
    client.auth.sign_in_with_password({"email": email, "password": password})
    return client


def _invite(admin: Client, email: str, role: str = "user") -> str:
    """invite_member, then the invitation email: a sign-in link that lands on the accept page."""
    row = admin.rpc("invite_member", {"email": email, "role": role}).execute().data[0]
    admin.auth.sign_in_with_otp(
        {
            "email": email,
            "options": {
                "should_create_user": True,
                "email_redirect_to": f"{SITE_URL}/accept-invitation?token={row['token']}",
            },
        }
    )
    return str(row["token"])


def _open_invitation(
    new_client: Callable[[], Client], mailbox: Mailbox, email: str
) -> tuple[Client, str]:
    """The invitee follows the emailed link: a session, and the token from the accept page URL."""
    message = mailbox.wait_for(email, "Confirm Your Signup")
    followed = follow(message.links[0])
    assert followed.target.startswith(f"{SITE_URL}/accept-invitation?token=")
    token = parse_qs(urlsplit(followed.target).query)["token"][0]
    client = new_client()
    client.auth.set_session(followed.fragment["access_token"], followed.fragment["refresh_token"])
    return client, token


def _code(error: APIError) -> str:
    return str(error.code)


def test_an_invited_colleague_follows_the_link_sets_a_password_and_joins(
    new_client: Callable[[], Client], mailbox: Mailbox
) -> None:
    admin = _signed_in(new_client, ADMIN, DEV_PASSWORD)
    email = new_email("colleague")
    _invite(admin, email)
    invitee, token = _open_invitation(new_client, mailbox, email)
    invitee.auth.update_user({"password": "colleague-pass-1"})
    joined = invitee.rpc("accept_invitation", {"token": token}).execute().data
    assert joined == [{"organization_id": NOVA, "role": "user"}]

    again = _signed_in(new_client, email, "colleague-pass-1")
    profile = again.table("profiles").select("role, organization_id").single().execute().data
    assert profile == {"role": "user", "organization_id": NOVA}, "the colleague is a user of nova"
    pending = admin.table("invitations").select("email").is_("accepted_at", "null").execute().data
    assert {"email": email} not in pending, "an accepted invitation is no longer pending"

    with pytest.raises(APIError) as reused:
        invitee.rpc("accept_invitation", {"token": token}).execute()
    assert _code(reused.value) == "AM023", "an invitation works once"


def test_someone_elses_invitation_is_refused(
    new_client: Callable[[], Client], mailbox: Mailbox
) -> None:
    admin = _signed_in(new_client, ADMIN, DEV_PASSWORD)
    invited, intruder = new_email("invited"), new_email("intruder")
    token = _invite(admin, invited, role="admin")
    _invite(admin, intruder)
    intruder_client, _ = _open_invitation(new_client, mailbox, intruder)
    with pytest.raises(APIError) as refused:
        intruder_client.rpc("accept_invitation", {"token": token}).execute()
    assert _code(refused.value) == "AM021", "a token for another address is refused as unknown"


def test_an_expired_invitation_is_refused(
    new_client: Callable[[], Client], mailbox: Mailbox, db: StackInfo
) -> None:
    admin = _signed_in(new_client, ADMIN, DEV_PASSWORD)
    email = new_email("late")
    token = _invite(admin, email)
    with psycopg.connect(db.db_url) as conn:
        conn.execute(
            "update public.invitations set created_at = now() - interval '8 days',"
            " expires_at = now() - interval '1 day' where email = %s",
            (email,),
        )
    invitee, _ = _open_invitation(new_client, mailbox, email)
    with pytest.raises(APIError) as refused:
        invitee.rpc("accept_invitation", {"token": token}).execute()
    assert _code(refused.value) == "AM024"


def test_a_revoked_invitation_is_refused_and_listed_no_more(
    new_client: Callable[[], Client], mailbox: Mailbox
) -> None:
    admin = _signed_in(new_client, ADMIN, DEV_PASSWORD)
    email = new_email("revoked")
    token = _invite(admin, email)
    invitation = admin.table("invitations").select("id").eq("email", email).single().execute().data
    admin.rpc("revoke_invitation", {"invitation_id": invitation["id"]}).execute()
    pending = admin.table("invitations").select("email").is_("revoked_at", "null").execute().data
    assert {"email": email} not in pending
    invitee, _ = _open_invitation(new_client, mailbox, email)
    with pytest.raises(APIError) as refused:
        invitee.rpc("accept_invitation", {"token": token}).execute()
    assert _code(refused.value) == "AM022"


def test_removing_a_member_keeps_their_usage(
    new_client: Callable[[], Client], db: StackInfo
) -> None:
    admin = _signed_in(new_client, "admin@bright-visas.example.test", DEV_PASSWORD)
    member = "user2@bright-visas.example.test"
    with psycopg.connect(db.db_url) as conn:
        query = (
            "select count(*) from public.ai_model_usage a join auth.users u on u.id = a.user_id"
            " where u.email = %s"
        )
        before = conn.execute(query, (member,)).fetchone()
    admin.rpc("remove_member", {"email": member}).execute()
    gone = _signed_in(new_client, member, DEV_PASSWORD)
    profile = gone.table("profiles").select("role, organization_id").single().execute().data
    assert profile == {"role": "user", "organization_id": None}
    assert gone.table("ai_models_system").select("id").execute().data == [], (
        "a removed member sees no model"
    )
    with psycopg.connect(db.db_url) as conn:
        after = conn.execute(query, (member,)).fetchone()
    assert before == after and before is not None and before[0] > 0, "usage rows stay"


def _token_role(client: Client) -> str:
    session = client.auth.get_session()
    assert session is not None
    return str(jwt.decode(session.access_token, options={"verify_signature": False})["role"])


def test_accepting_an_admin_invitation_gives_the_next_token_the_admin_role(
    new_client: Callable[[], Client], mailbox: Mailbox
) -> None:
    """The token's role follows the profile; the service refreshes the session after joining,
    so the new admin reads as one at once (their old token carried the plain role)."""
    admin = _signed_in(new_client, ADMIN, DEV_PASSWORD)
    email = new_email("new-admin")
    _invite(admin, email, role="admin")
    invitee, token = _open_invitation(new_client, mailbox, email)
    assert _token_role(invitee) == "authenticated"

    joined = OnboardingService(invitee).accept_invitation(token)

    assert (joined.organization_id, joined.role) == (UUID(NOVA), InvitedRole.ADMIN)
    assert _token_role(invitee) == "aimodels_admin"
    members = invitee.table("profiles").select("id").execute().data
    assert len(members) > 1, "an admin reads the organization's members"
