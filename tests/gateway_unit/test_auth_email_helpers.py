"""The pure parts of the email flows: rate buckets, redirect allow-list, code hashing, config."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from aimodels.gateway.auth.config import AuthFlowSettings, RateLimitSettings
from aimodels.gateway.auth.otp import action_link, generate_otp, token_hash
from aimodels.gateway.auth.rate_limit import Limit, RateLimiter
from aimodels.gateway.auth.redirects import is_redirect_allowed, referrer
from aimodels.stack.auth_config import load_auth_config, parse_duration


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_lets_n_through_then_refills_at_n_per_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimitSettings(sign_in_sign_ups=30), clock=clock)
    assert [limiter.allow(Limit.SIGN_IN, "1.2.3.4") for _ in range(31)] == [True] * 30 + [False]
    clock.now += 10  # 30 per 300 s: one request back every 10 s
    assert limiter.allow(Limit.SIGN_IN, "1.2.3.4") is True
    assert limiter.allow(Limit.SIGN_IN, "1.2.3.4") is False


def test_buckets_are_per_client_and_per_endpoint_group() -> None:
    limiter = RateLimiter(RateLimitSettings(sign_in_sign_ups=1), clock=FakeClock())
    assert limiter.allow(Limit.SIGN_IN, "a") and not limiter.allow(Limit.SIGN_IN, "a")
    assert limiter.allow(Limit.SIGN_IN, "b"), "another client has its own bucket"
    assert limiter.allow(Limit.SIGN_UP, "a"), "sign-ups have their own bucket"


def test_disabled_limits_never_refuse() -> None:
    limiter = RateLimiter(RateLimitSettings(enabled=False, sign_in_sign_ups=1))
    assert all(limiter.allow(Limit.SIGN_IN, "a") for _ in range(100))


def test_no_email_cap_unless_configured() -> None:
    assert all(RateLimiter(RateLimitSettings()).allow(Limit.EMAIL_SENT, "*") for _ in range(50))
    capped = RateLimiter(RateLimitSettings(email_sent=2), clock=FakeClock())
    assert [capped.allow(Limit.EMAIL_SENT, "*") for _ in range(3)] == [True, True, False]


SETTINGS = AuthFlowSettings(
    site_url="http://127.0.0.1:3000",
    additional_redirect_urls=("https://127.0.0.1:3000", "https://*.example.org/callback"),
)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:3000/welcome?x=1", True),  # the site's host, any path
        ("https://127.0.0.1:3000", True),  # an exact entry
        ("https://app.example.org/callback", True),  # a glob entry
        ("https://a.b.example.org/callback", False),  # `*` stops at a dot
        ("https://evil.example.com/", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_redirects_follow_the_allow_list(url: str, allowed: bool) -> None:
    assert is_redirect_allowed(SETTINGS, url) is allowed


def test_a_refused_redirect_falls_back_to_the_site_url() -> None:
    assert referrer(SETTINGS, "https://evil.example.com/", {}) == "http://127.0.0.1:3000"


def test_codes_are_digits_and_stored_as_gotrue_hashes_them() -> None:
    code = generate_otp(8)
    assert len(code) == 8 and code.isdigit()
    expected = hashlib.sha224(b"ada@example.test123456").hexdigest()
    assert token_hash("ada@example.test", "123456") == expected
    assert action_link("http://h/auth/v1", "abc", "signup", "http://s/") == (
        "http://h/auth/v1/verify?token=abc&type=signup&redirect_to=http%3A%2F%2Fs%2F"
    )


def test_config_toml_values_reach_the_gateway_settings(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[auth]\nsite_url = "http://app.test"\nenable_signup = false\n'
        '[auth.email]\nenable_confirmations = true\nmax_frequency = "2m"\notp_length = 8\n'
        "[auth.rate_limit]\nsign_in_sign_ups = 7\nemail_sent = 2\n"
    )
    auth = load_auth_config(config, smtp_port=2525)
    flows = AuthFlowSettings.model_validate(auth.flows.model_dump())
    assert (flows.site_url, flows.enable_signup, flows.otp_length) == ("http://app.test", False, 8)
    assert flows.max_frequency_seconds == 120 and auth.mailer_autoconfirm is False
    assert flows.rate_limits.sign_in_sign_ups == 7
    assert flows.rate_limits.email_sent is None, "the email cap binds a custom SMTP server only"
    assert (flows.smtp_host, flows.smtp_port) == ("127.0.0.1", 2525)


def test_a_bad_duration_is_a_clear_error() -> None:
    assert parse_duration("1s") == 1 and parse_duration("500ms") == 0.5
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")
