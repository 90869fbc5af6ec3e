"""`aimodels signup EMAIL`: create an account that founds a new organization (free plan)."""

from __future__ import annotations

from typing import Annotated

import typer

from aimodels.cli.output import JsonFlag, print_json, reports_errors
from aimodels.cli.session import env_file, new_password
from aimodels.client import AIModelsClient
from aimodels.client.onboarding import OnboardingService
from aimodels.domain import OrgType


@reports_errors
def signup_command(
    email: Annotated[str, typer.Argument(help="The new account's email address.")],
    org_name: Annotated[str, typer.Option("--org-name", help="Your organization's name.")],
    org_type: Annotated[
        OrgType, typer.Option("--org-type", help="Your organization's type.", case_sensitive=False)
    ],
    json_out: JsonFlag = False,
) -> None:
    """Sign up: confirm the emailed link (see `aimodels mail list` locally), then you are the
    admin of a new organization on the free plan. The password comes from AIMODELS_PASSWORD
    or, on a terminal, a prompt (sign-in failed, exit 3, with neither).

    Example: AIMODELS_PASSWORD=ada-dev-password-1 aimodels signup ada@lovelace.test
    --org-name "Lovelace Ltd" --org-type software
    """
    password = new_password("Password")
    client = AIModelsClient.from_env(env_file())
    result = OnboardingService(client.api).sign_up(
        email, password, org_name=org_name, org_type=org_type.value
    )
    if json_out:
        print_json(result)
    elif result.confirmation_sent:
        print(f"{result.email}: check your inbox and follow the link to confirm the address.")
    else:
        print(f"{result.email}: signed up and confirmed.")


@reports_errors
def accept_invite_command(
    link: Annotated[str, typer.Argument(help="The link from the invitation email.")],
    json_out: JsonFlag = False,
) -> None:
    """Accept an invitation from the command line: follow the emailed link, choose your
    password (AIMODELS_PASSWORD or, on a terminal, a prompt; exit 3 with neither) and join
    the organization. A spent or expired link is sign-in failed (exit 3).

    Example: AIMODELS_PASSWORD=bob-dev-password-1 aimodels accept-invite "$(aimodels mail show
    3 --json | jq -r '.links[0]')"
    """
    password = new_password("Choose a password")
    client = AIModelsClient.from_env(env_file())
    joined = OnboardingService(client.api).accept_invitation_link(link, password)
    if json_out:
        print_json(joined)
    else:
        print(f"joined organization {joined.organization_id} as {joined.role}")
