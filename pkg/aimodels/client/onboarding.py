"""Onboarding through the API: sign up (founding an organization), accept an invitation, and
the org admin's side (invite, list, revoke, remove a member).

The invitation email is a sign-in link (POST /otp) whose redirect lands on the site's
accept page with the invitation token; the invitee, signed in by the link, calls
accept_invitation(token). Nothing here opens a database connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit
from uuid import UUID

import httpx
from pydantic import ValidationError

from aimodels.client.errors import ApiUnavailable, AuthError, InvalidInput, api_errors
from aimodels.client.rows import fetch_all, fetch_first
from aimodels.domain import explain
from aimodels.domain.onboarding import (
    Invitation,
    InvitedRole,
    IssuedInvitation,
    Membership,
    RemovedMember,
    SignUpRequest,
    SignUpResult,
    normalized_email,
)

if TYPE_CHECKING:
    from supabase import Client

ACCEPT_PATH = "/accept-invitation"


def _email(address: str) -> str:
    try:
        return normalized_email(address)
    except ValueError as error:
        raise InvalidInput(str(error)) from error


class OnboardingService:
    """The anonymous and not-yet-member side: sign up, accept an invitation."""

    def __init__(self, api: Client) -> None:
        self._api = api

    def sign_up(
        self,
        email: str,
        password: str,
        *,
        org_name: str,
        org_type: str,
        redirect_to: str | None = None,
    ) -> SignUpResult:
        """Sign up; once the emailed link confirms the address, the new org exists."""
        try:
            request = SignUpRequest.model_validate(
                {"email": email, "password": password, "org_name": org_name, "org_type": org_type}
            )
        except ValidationError as error:
            raise InvalidInput(explain(error)) from error
        options: dict[str, object] = {
            "data": {"org_name": request.org_name, "org_type": request.org_type.value}
        }
        if redirect_to:
            options["email_redirect_to"] = redirect_to
        with api_errors():
            answer = self._api.auth.sign_up(
                {"email": request.email, "password": request.password, "options": options}  # type: ignore[typeddict-item]
            )
        if answer.user is None:
            raise AuthError(f"sign-up of {request.email} returned no user")
        return SignUpResult(
            user_id=UUID(answer.user.id),
            email=request.email,
            confirmation_sent=answer.session is None,
        )

    def accept_invitation(self, token: str) -> Membership:
        """Join the invitation's organization (signed in as the invited address). The session
        is refreshed after: the token's role follows the profile, and an admin's invitation
        gives the next token the admin's role."""
        request = self._api.rpc("accept_invitation", {"token": token})
        membership = fetch_first(request, Membership, missing="the invitation was not accepted")
        with api_errors():
            self._api.auth.refresh_session()
        return membership

    def accept_invitation_link(self, link: str, password: str) -> Membership:
        """What the accept page does with the emailed link: follow it (signing in), set the
        password, and accept the invitation named in the page's URL."""
        try:
            answer = httpx.get(link, follow_redirects=False, timeout=10)
        except httpx.HTTPError as error:
            raise ApiUnavailable(f"cannot open the link: {error}") from error
        landing = urlsplit(answer.headers.get("location", ""))
        fragment = {k: v[0] for k, v in parse_qs(landing.fragment).items()}
        if "error_code" in fragment:
            raise AuthError(fragment.get("error_description", "the link was refused"))
        tokens = parse_qs(landing.query).get("token")
        if answer.status_code != 303 or "access_token" not in fragment or not tokens:
            raise InvalidInput("not an invitation link (it does not lead to the accept page)")
        with api_errors():
            self._api.auth.set_session(fragment["access_token"], fragment["refresh_token"])
            self._api.auth.update_user({"password": password})
        return self.accept_invitation(tokens[0])


class OrgMembers:
    """The org admin's members and invitations (OrgAdminService hands it out)."""

    def __init__(self, api: Client, site_url: str) -> None:
        self._api = api
        self._site_url = site_url.rstrip("/")

    def invite(self, email: str, role: InvitedRole = InvitedRole.USER) -> IssuedInvitation:
        """Record the invitation, then email the invitee a sign-in link to the accept page."""
        address = _email(email)
        request = self._api.rpc("invite_member", {"email": address, "role": role.value})
        issued = fetch_first(request, IssuedInvitation, missing="no invitation was made")
        accept_url = f"{self._site_url}{ACCEPT_PATH}?{urlencode({'token': issued.token})}"
        with api_errors():
            self._api.auth.sign_in_with_otp(
                {
                    "email": address,
                    "options": {"should_create_user": True, "email_redirect_to": accept_url},
                }
            )
        return issued

    def invitations(self, *, pending_only: bool = True) -> list[Invitation]:
        request = self._api.table("invitations").select("*")
        if pending_only:
            request = request.is_("accepted_at", "null").is_("revoked_at", "null")
        return fetch_all(request.order("created_at", desc=True), Invitation)

    def revoke(self, invitation_id: UUID) -> Invitation:
        request = self._api.rpc("revoke_invitation", {"invitation_id": str(invitation_id)})
        return fetch_first(request, Invitation, missing=f"no invitation {invitation_id}")

    def remove(self, email: str) -> RemovedMember:
        request = self._api.rpc("remove_member", {"email": _email(email)})
        return fetch_first(request, RemovedMember, missing=f"{email} was not removed")
