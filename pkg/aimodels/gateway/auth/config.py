"""Settings of GoTrue's email flows: sign-up, redirects, the mailer, rate limits.

They mirror the Supabase CLI's config.toml ([auth], [auth.email], [auth.rate_limit]) and
GoTrue's environment (GOTRUE_SITE_URL, GOTRUE_URI_ALLOW_LIST, GOTRUE_MAILER_OTP_EXP, ...).
The gateway never reads a project file: whoever starts it passes these values in.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RateLimitSettings(BaseModel):
    """[auth.rate_limit]: requests per IP per 5 minutes, emails per hour (None: no cap)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    sign_in_sign_ups: int = Field(default=30, ge=1)
    token_refresh: int = Field(default=150, ge=1)
    token_verifications: int = Field(default=30, ge=1)
    # GoTrue's email_sent cap binds a custom SMTP server only; the local mail catcher has none.
    email_sent: int | None = Field(default=None, ge=1)


class AuthFlowSettings(BaseModel):
    """What the email flows need to know; immutable like the rest of the gateway's settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    site_url: str = "http://127.0.0.1:3000"
    additional_redirect_urls: tuple[str, ...] = ()
    enable_signup: bool = True
    double_confirm_changes: bool = True
    otp_length: int = Field(default=6, ge=6, le=10)
    otp_expiry: int = Field(default=3600, gt=0)
    max_frequency_seconds: float = Field(default=1.0, ge=0)
    # SMTP server the mailer hands messages to (the local mail catcher); None: mail is dropped.
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    sender_email: str = "admin@email.com"
    sender_name: str = "Admin"
    rate_limits: RateLimitSettings = RateLimitSettings()
