"""The auth settings config.toml gives the local stack's gateway, as the Supabase CLI gives GoTrue.

[auth] site_url, additional_redirect_urls, enable_signup; [auth.email]
enable_confirmations, double_confirm_changes, otp_length, otp_expiry, max_frequency;
[auth.rate_limit]. The gateway gets them on its command line as JSON (it never reads the
project's files), with the mail catcher's SMTP port as its mail server.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


class RateLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    enabled: bool = True
    sign_in_sign_ups: int = 30
    token_refresh: int = 150
    token_verifications: int = 30
    email_sent: int | None = None


class GatewayAuthConfig(BaseModel):
    """The JSON of `aimodels gateway serve --auth-flows`."""

    model_config = ConfigDict(frozen=True)

    site_url: str = "http://127.0.0.1:3000"
    additional_redirect_urls: tuple[str, ...] = ()
    enable_signup: bool = True
    double_confirm_changes: bool = True
    otp_length: int = 6
    otp_expiry: int = 3600
    max_frequency_seconds: float = 1.0
    smtp_host: str | None = None
    smtp_port: int | None = None
    sender_email: str = "admin@email.com"
    sender_name: str = "Admin"
    rate_limits: RateLimits = Field(default_factory=RateLimits)


class AuthConfig(BaseModel):
    """What the stack passes to the gateway about auth."""

    model_config = ConfigDict(frozen=True)

    flows: GatewayAuthConfig
    mailer_autoconfirm: bool


def parse_duration(text: str) -> float:
    """A Go duration as config.toml writes them ("1s", "60s", "1m"), in seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (write e.g. '1s' or '2m')")
    return float(match.group(1)) * _UNITS[match.group(2)]


def load_auth_config(
    config_toml: Path, *, smtp_port: int | None, rate_limits: bool = True
) -> AuthConfig:
    """Read config.toml's auth sections; unset values keep the CLI's defaults."""
    document = tomllib.loads(config_toml.read_text())
    auth = document.get("auth", {})
    email = auth.get("email", {})
    limits = auth.get("rate_limit", {})
    smtp = email.get("smtp", {})
    custom_smtp = bool(smtp.get("enabled", False))
    flows = GatewayAuthConfig(
        site_url=auth.get("site_url", "http://127.0.0.1:3000"),
        additional_redirect_urls=tuple(auth.get("additional_redirect_urls", [])),
        enable_signup=auth.get("enable_signup", True),
        double_confirm_changes=email.get("double_confirm_changes", True),
        otp_length=email.get("otp_length", 6),
        otp_expiry=email.get("otp_expiry", 3600),
        max_frequency_seconds=parse_duration(email.get("max_frequency", "1s")),
        smtp_host="127.0.0.1" if smtp_port is not None else None,
        smtp_port=smtp_port,
        sender_email=smtp.get("admin_email", "admin@email.com"),
        sender_name=smtp.get("sender_name", "Admin"),
        rate_limits=RateLimits(
            enabled=rate_limits,
            sign_in_sign_ups=limits.get("sign_in_sign_ups", 30),
            token_refresh=limits.get("token_refresh", 150),
            token_verifications=limits.get("token_verifications", 30),
            # As in the CLI: the hourly email cap binds a custom SMTP server only.
            email_sent=limits.get("email_sent") if custom_smtp else None,
        ),
    )
    return AuthConfig(flows=flows, mailer_autoconfirm=not email.get("enable_confirmations", False))
