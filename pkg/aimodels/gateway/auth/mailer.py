"""GoTrue's mailer: the six messages of the email flows, sent over SMTP.

Locally the SMTP server is the stack's mail catcher. Every message carries both the link
(which verifies and redirects) and the code (for POST /verify), as GoTrue's templates can.
Sending runs in a thread so a slow SMTP server never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import html
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from enum import StrEnum

from aimodels.gateway.auth.config import AuthFlowSettings
from aimodels.gateway.auth.errors import AuthError

log = logging.getLogger("aimodels.gateway.auth.mailer")

SMTP_TIMEOUT_SECONDS = 10


class EmailAction(StrEnum):
    """mail.*Verification: the `type` of a link and of POST /verify."""

    SIGNUP = "signup"
    INVITE = "invite"
    MAGICLINK = "magiclink"
    RECOVERY = "recovery"
    EMAIL_CHANGE = "email_change"


_SUBJECTS = {
    EmailAction.SIGNUP: "Confirm Your Signup",
    EmailAction.INVITE: "You have been invited",
    EmailAction.MAGICLINK: "Your Magic Link",
    EmailAction.RECOVERY: "Reset Your Password",
    EmailAction.EMAIL_CHANGE: "Confirm Email Change",
}

_LEADS = {
    EmailAction.SIGNUP: ("Confirm your signup", "Follow this link to confirm your user:"),
    EmailAction.INVITE: ("You have been invited", "Follow this link to accept the invite:"),
    EmailAction.MAGICLINK: ("Magic Link", "Follow this link to log in:"),
    EmailAction.RECOVERY: ("Reset Password", "Follow this link to reset the password:"),
    EmailAction.EMAIL_CHANGE: ("Confirm Change of Email", "Follow this link to confirm:"),
}


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str


def compose(action: EmailAction, *, to: str, link: str, otp: str) -> OutgoingMail:
    title, lead = _LEADS[action]
    text = f"{title}\n\n{lead}\n{link}\n\nAlternatively, enter the code: {otp}\n"
    body = (
        f"<h2>{html.escape(title)}</h2><p>{html.escape(lead)}</p>"
        f'<p><a href="{html.escape(link)}">{html.escape(title)}</a></p>'
        f"<p>Alternatively, enter the code: {html.escape(otp)}</p>"
    )
    return OutgoingMail(to=to, subject=_SUBJECTS[action], text=text, html=body)


def _deliver(settings: AuthFlowSettings, mail: OutgoingMail) -> None:
    message = EmailMessage()
    message["From"] = formataddr((settings.sender_name, settings.sender_email))
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="aimodels.local")
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    host, port = settings.smtp_host, settings.smtp_port
    if host is None or port is None:
        return
    with smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message)


async def send_mail(settings: AuthFlowSettings, mail: OutgoingMail) -> None:
    """Hand the message to the SMTP server; GoTrue's 500 when it cannot be sent."""
    if settings.smtp_host is None:
        log.warning("no SMTP server configured: %r to %s not sent", mail.subject, mail.to)
        return
    try:
        await asyncio.to_thread(_deliver, settings, mail)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("sending %r failed: %s", mail.subject, error)
        raise AuthError(500, "unexpected_failure", "Error sending confirmation email") from error
