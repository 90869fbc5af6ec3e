"""GoTrue's own invitation (POST /invite, service role) through supabase-py's admin API: the
invitation email's link signs the invitee in, who then sets a password."""

from __future__ import annotations

from collections.abc import Callable

from supabase import Client, create_client

from aimodels.stack.state import StackInfo
from tests.onboarding.support import SITE_URL, Mailbox, follow, new_email


def test_an_invitee_follows_the_invitation_link_and_sets_a_password(
    db: StackInfo, new_client: Callable[[], Client], mailbox: Mailbox
) -> None:
    email = new_email("gotrue-invitee")
    service = create_client(db.api_url, db.service_role_key)
    invited = service.auth.admin.invite_user_by_email(email, {"data": {"team": "blue"}})
    assert invited.user is not None and invited.user.invited_at is not None

    message = mailbox.wait_for(email, "You have been invited")
    followed = follow(message.links[0])
    assert followed.status == 303 and followed.target == SITE_URL
    assert followed.fragment["type"] == "invite"

    invitee = new_client()
    invitee.auth.set_session(followed.fragment["access_token"], followed.fragment["refresh_token"])
    invitee.auth.update_user({"password": "invitee-pass-1"})
    signed_in = new_client().auth.sign_in_with_password(
        {"email": email, "password": "invitee-pass-1"}
    )
    assert signed_in.user is not None and signed_in.user.email_confirmed_at is not None
    assert signed_in.user.user_metadata == {"team": "blue"}
    assert follow(message.links[0]).fragment["error_code"] == "otp_expired", "the link is spent"
