"""Typed errors of the client, mapped from the API's error codes in one table.

Clients branch on the code PostgREST/GoTrue return (our SQL raises its own SQLSTATEs
AM001..AM011), never on message text. The original exception is attached as __cause__.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from postgrest.exceptions import APIError
from pydantic import ValidationError
from supabase_auth.errors import AuthError as SupabaseAuthError
from supabase_auth.errors import AuthRetryableError

from aimodels.domain import AppError, InvalidInput, explain


class AuthError(AppError):
    """Sign-in failed, no session, or the session expired."""


class PermissionDenied(AppError):
    """The signed-in role may not do this."""


class NotFound(AppError):
    """No such row, or not one the caller may see."""


class Conflict(InvalidInput):
    """The change clashes with an existing row (unique or foreign key)."""


class QuotaExceeded(AppError):
    """A limit or quota refused the request."""


class UserQuotaExceeded(QuotaExceeded):
    """AM004: the user's per-period token limit for this model would be exceeded."""


class OrgQuotaExceeded(QuotaExceeded):
    """AM005: the organization's monthly token quota would be exceeded."""


class TrialExpired(QuotaExceeded):
    """AM003: the model's trial for this organization has ended."""


class ModelNotAvailable(NotFound):
    """AM001: the model is inactive, not targeted at the org, or above its plan."""


class ModelNotEnabled(PermissionDenied):
    """AM002: the org's admin has not enabled the model for users."""


class AppendOnly(PermissionDenied):
    """AM007: usage rows are never updated or deleted."""


class ProtectedField(PermissionDenied):
    """AM008: the caller may not change this field (plan, type, quota, role...)."""


class InvitationNotFound(NotFound):
    """AM021: no such invitation for this account (someone else's answers the same)."""


class InvitationClosed(InvalidInput):
    """AM022 revoked, AM023 already accepted, AM024 expired: the invitation is spent."""


class AlreadyMember(Conflict):
    """AM025: the account or address already belongs to an organization."""


class CannotRemoveSelf(InvalidInput):
    """AM026: an admin cannot remove themselves from their organization."""


class MemberNotFound(NotFound):
    """AM027: no member of the caller's organization has this address."""


class RateLimited(QuotaExceeded):
    """GoTrue's 429: too many requests from this address, or emails to this account."""


class ApiUnavailable(AppError):
    """The API did not answer (stack down, wrong URL)."""


# The one table: API error code -> exception class. PostgREST puts the SQLSTATE in `code`;
# GoTrue puts its error_code there.
ERROR_CODES: dict[str, type[AppError]] = {
    # our own SQLSTATEs (supabase/migrations)
    "AM001": ModelNotAvailable,
    "AM002": ModelNotEnabled,
    "AM003": TrialExpired,
    "AM004": UserQuotaExceeded,
    "AM005": OrgQuotaExceeded,
    "AM006": InvalidInput,
    "AM007": AppendOnly,
    "AM008": ProtectedField,
    "AM009": InvalidInput,  # an argument an API function does not accept
    "AM010": NotFound,  # no such hold, or not the caller's
    "AM011": Conflict,  # the hold has already ended (settled or released)
    "AM021": InvitationNotFound,
    "AM022": InvitationClosed,
    "AM023": InvitationClosed,
    "AM024": InvitationClosed,
    "AM025": AlreadyMember,
    "AM026": CannotRemoveSelf,
    "AM027": MemberNotFound,
    # Postgres
    "42501": PermissionDenied,  # RLS / privilege
    "23505": Conflict,  # unique violation
    "23503": Conflict,  # foreign key violation
    "23514": InvalidInput,  # check constraint
    "23502": InvalidInput,  # not null
    "22P02": InvalidInput,  # invalid text representation (bad uuid, enum)
    "22003": InvalidInput,  # numeric out of range
    "22023": InvalidInput,  # invalid parameter value
    # PostgREST
    "PGRST116": NotFound,  # single object requested, 0 rows
    "PGRST100": InvalidInput,  # unparsable query
    "PGRST204": InvalidInput,  # unknown column in body
    "PGRST301": AuthError,  # bad JWT
    "PGRST303": AuthError,  # expired JWT
    # GoTrue
    "invalid_credentials": AuthError,
    "email_not_confirmed": AuthError,
    "user_not_found": AuthError,
    "bad_jwt": AuthError,
    "session_not_found": AuthError,
    "refresh_token_not_found": AuthError,
    "refresh_token_already_used": AuthError,
    "no_authorization": AuthError,
    "not_admin": PermissionDenied,
    "over_request_rate_limit": RateLimited,
    "over_email_send_rate_limit": RateLimited,
    "user_already_exists": Conflict,
    "email_exists": Conflict,
    "otp_expired": AuthError,
    "signup_disabled": PermissionDenied,
    "weak_password": InvalidInput,
    "validation_failed": InvalidInput,
}


def from_api_error(error: APIError) -> AppError:
    """A PostgREST error as our typed error (AppError for codes we do not know)."""
    code = error.code or None
    cls = ERROR_CODES.get(code or "", AppError)
    message = error.message or f"API error {code}"
    return cls(plain_message(code, message, error.details), code=code, hint=error.hint)


_KEY_DETAIL = re.compile(r"Key \((?P<columns>[^)]*)\)=\((?P<values>.*)\) already exists")
_CHECK_NAME = re.compile(r'violates check constraint "(?P<name>[^"]+)"')
_RELATION = re.compile(r'relation "(?P<table>[^"]+)"')


def plain_message(code: str | None, message: str, details: str | None) -> str:
    """Postgres's wording for constraint and range errors, said in the product's terms
    (which value clashes, which rule), without constraint or type names."""
    match code:
        case "23505":
            found = _KEY_DETAIL.search(details or "")
            if found:
                return f"{found['columns']} '{found['values']}' is already taken"
            return "that value is already taken"
        case "23514":
            found, table = _CHECK_NAME.search(message), _RELATION.search(message)
            if found:
                rule = found["name"].removeprefix(f"{table['table']}_" if table else "")
                return f"a value breaks the rule: {rule.replace('_', ' ')}"
        case "22003":
            return "a number is too large"
    return message


def from_auth_error(error: SupabaseAuthError) -> AppError:
    """A GoTrue error as our typed error (AuthError for codes we do not know)."""
    code = error.code or None
    cls = ERROR_CODES.get(code or "", AuthError)
    return cls(error.message or "authentication failed", code=code)


@contextmanager
def api_errors() -> Iterator[None]:
    """Re-raise whatever talking to the API raised as our hierarchy, the original attached."""
    try:
        yield
    except APIError as error:
        raise from_api_error(error) from error
    except AuthRetryableError as error:  # GoTrue unreachable or answering 5xx
        raise ApiUnavailable(
            f"cannot reach the auth API ({error.message}): is the stack up? `aimodels stack up`"
        ) from error
    except SupabaseAuthError as error:
        raise from_auth_error(error) from error
    except ValidationError as error:
        raise InvalidInput(explain(error)) from error
    except httpx.TransportError as error:
        raise ApiUnavailable(
            f"cannot reach the API ({error}): is the stack up? `aimodels stack up`"
        ) from error
