"""The one error table: API codes map to typed errors, never message text; causes attached."""

from __future__ import annotations

import httpx
import pytest
from postgrest.exceptions import APIError
from supabase_auth.errors import AuthApiError, AuthRetryableError

from aimodels.client import (
    ApiUnavailable,
    AppError,
    AuthError,
    Conflict,
    InvalidInput,
    ModelNotAvailable,
    ModelNotEnabled,
    NotFound,
    OrgQuotaExceeded,
    PermissionDenied,
    QuotaExceeded,
    TrialExpired,
    UserQuotaExceeded,
)
from aimodels.client.errors import api_errors


def _raised_by(error: Exception) -> AppError:
    with pytest.raises(AppError) as caught, api_errors():
        raise error
    assert caught.value.__cause__ is error, "the original error stays attached"
    return caught.value


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("AM001", ModelNotAvailable),
        ("AM002", ModelNotEnabled),
        ("AM003", TrialExpired),
        ("AM004", UserQuotaExceeded),
        ("AM005", OrgQuotaExceeded),
        ("AM006", InvalidInput),
        ("42501", PermissionDenied),
        ("23505", Conflict),
        ("PGRST116", NotFound),
        ("PGRST303", AuthError),
    ],
)
def test_postgrest_code_picks_the_error_class(code: str, expected: type[AppError]) -> None:
    error = _raised_by(APIError({"code": code, "message": "m", "hint": None, "details": None}))
    assert type(error) is expected
    assert error.code == code


def test_same_message_different_code_gives_different_class() -> None:
    """Branching is on the code: a misleading message changes nothing."""
    text = "user token limit exceeded"
    error = _raised_by(APIError({"code": "AM005", "message": text}))
    assert isinstance(error, OrgQuotaExceeded)


def test_unknown_code_is_a_plain_app_error_with_the_message() -> None:
    error = _raised_by(APIError({"code": "XX999", "message": "boom"}))
    assert type(error) is AppError and str(error) == "boom"


def test_quota_errors_share_a_parent() -> None:
    assert issubclass(UserQuotaExceeded, QuotaExceeded)
    assert issubclass(OrgQuotaExceeded, QuotaExceeded)
    assert issubclass(TrialExpired, QuotaExceeded)


def test_wrong_password_is_an_auth_error() -> None:
    error = _raised_by(AuthApiError("Invalid login credentials", 400, "invalid_credentials"))
    assert type(error) is AuthError and error.code == "invalid_credentials"


def test_service_role_only_endpoint_is_permission_denied() -> None:
    error = _raised_by(AuthApiError("User not allowed", 403, "not_admin"))
    assert isinstance(error, PermissionDenied)


def test_unreachable_api_is_reported_as_such() -> None:
    assert isinstance(_raised_by(httpx.ConnectError("refused")), ApiUnavailable)
    assert isinstance(_raised_by(AuthRetryableError("refused", 0)), ApiUnavailable)


def test_other_exceptions_pass_through_untouched() -> None:
    with pytest.raises(KeyError), api_errors():
        raise KeyError("not ours")
