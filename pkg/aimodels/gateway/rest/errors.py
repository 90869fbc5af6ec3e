"""THE error table of the REST API (PostgREST's Error.hs): every failure becomes one ApiError.

A PostgREST error body is `{"code","details","hint","message"}`; the status comes from the
PGRST code, or from the SQLSTATE of a database error (PostgREST: Error.hs, pgErrorStatus).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import psycopg
from psycopg_pool import PoolTimeout

JsonDetails = str | list[dict[str, str]] | None


@dataclass(slots=True)
class ApiError(Exception):
    """An error response: status, PostgREST body fields and extra headers."""

    status: int
    code: str
    message: str
    details: JsonDetails = None
    hint: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        payload = {
            "code": self.code,
            "details": self.details,
            "hint": self.hint,
            "message": self.message,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------
# Request errors (PGRST1xx)
# ---------------------------------------------------------------------------


def query_param_error(message: str, details: str) -> ApiError:
    return ApiError(400, "PGRST100", message, details)


def invalid_rpc_method(method: str) -> ApiError:
    return ApiError(405, "PGRST101", f"Cannot use the {method} method on RPC")


def invalid_body(message: str) -> ApiError:
    return ApiError(400, "PGRST102", message)


def invalid_range(details: str) -> ApiError:
    return ApiError(416, "PGRST103", "Requested range not satisfiable", details)


def invalid_filters() -> ApiError:
    return ApiError(
        405,
        "PGRST105",
        "Filters must include all and only primary key columns with 'eq' operators",
    )


def unacceptable_schema(schema: str, exposed: tuple[str, ...]) -> ApiError:
    return ApiError(
        406,
        "PGRST106",
        f"Invalid schema: {schema}",
        hint="Only the following schemas are exposed: " + ", ".join(exposed),
    )


def media_type_error(accepted: list[str]) -> ApiError:
    return ApiError(
        406, "PGRST107", "None of these media types are available: " + ", ".join(accepted)
    )


def not_embedded(resource: str) -> ApiError:
    return ApiError(
        400,
        "PGRST108",
        f"'{resource}' is not an embedded resource in this request",
        hint=f"Verify that '{resource}' is included in the 'select' query parameter.",
    )


def put_limit_not_allowed() -> ApiError:
    return ApiError(400, "PGRST114", "limit/offset querystring parameters are not allowed for PUT")


def put_matching_pk() -> ApiError:
    return ApiError(400, "PGRST115", "Payload values do not match URL in primary key column(s)")


def singularity_error(rows: int) -> ApiError:
    return ApiError(
        406,
        "PGRST116",
        "Cannot coerce the result to a single JSON object",
        f"The result contains {rows} rows",
    )


def unsupported_method(method: str) -> ApiError:
    return ApiError(405, "PGRST117", f"Unsupported HTTP method: {method}")


def related_order_not_to_one(origin: str, target: str) -> ApiError:
    return ApiError(
        400,
        "PGRST118",
        f"A related order on '{target}' is not possible",
        f"'{origin}' and '{target}' do not form a many-to-one or one-to-one relationship",
    )


def invalid_preferences(prefs: list[str]) -> ApiError:
    return ApiError(
        400,
        "PGRST122",
        "Invalid preferences given with handling=strict",
        "Invalid preferences: " + ", ".join(prefs),
    )


def aggregates_not_allowed() -> ApiError:
    return ApiError(400, "PGRST123", "Use of aggregate functions is not allowed")


def max_affected_violation(rows: int) -> ApiError:
    return ApiError(
        400,
        "PGRST124",
        "Query result exceeds max-affected preference constraint",
        f"The query affects {rows} rows",
    )


def invalid_resource_path() -> ApiError:
    return ApiError(404, "PGRST125", "Invalid path specified in request URL")


def payload_too_large(limit: int) -> ApiError:
    # PostgREST leaves this to the proxy; the gateway answers it itself, PostgREST-shaped.
    return ApiError(413, "PGRST413", "Payload Too Large", f"The request body exceeds {limit} bytes")


# ---------------------------------------------------------------------------
# Schema cache errors (PGRST2xx)
# ---------------------------------------------------------------------------


def no_relationship(
    parent: str, child: str, hint: str | None, schema: str, suggestion: str | None
) -> ApiError:
    using = f"' using the hint '{hint}" if hint else ""
    return ApiError(
        400,
        "PGRST200",
        f"Could not find a relationship between '{parent}' and '{child}' in the schema cache",
        f"Searched for a foreign key relationship between '{parent}' and '{child}{using}'"
        f" in the schema '{schema}', but no matches were found.",
        suggestion,
    )


def ambiguous_relationship(
    parent: str, child: str, details: list[dict[str, str]], hints: list[str]
) -> ApiError:
    return ApiError(
        300,
        "PGRST201",
        f"Could not embed because more than one relationship was found for '{parent}'"
        f" and '{child}'",
        details,
        f"Try changing '{child}' to one of the following: {', '.join(hints)}."
        " Find the desired relationship in the 'details' key.",
    )


def no_function(
    schema: str, name: str, arg_names: list[str], json_body: bool, suggestion: str | None
) -> ApiError:
    func = f"{schema}.{name}"
    if arg_names:
        listed = ", ".join(arg_names)
        in_message = f"({listed})"
        plural = "s" if len(arg_names) > 1 else ""
        in_details = f" with parameter{plural} {listed}"
    else:
        in_message = in_details = " without parameters"
    if json_body:
        in_details += " or with a single unnamed json/jsonb parameter"
    return ApiError(
        404,
        "PGRST202",
        f"Could not find the function {func}{in_message} in the schema cache",
        f"Searched for the function {func}{in_details}, but no matches were found in the"
        " schema cache.",
        suggestion,
    )


def ambiguous_function(candidates: list[str]) -> ApiError:
    return ApiError(
        300,
        "PGRST203",
        "Could not choose the best candidate function between: " + ", ".join(candidates),
        hint="Try renaming the parameters or the function itself in the database so function"
        " overloading can be resolved",
    )


def column_not_found(table: str, column: str) -> ApiError:
    return ApiError(
        400, "PGRST204", f"Could not find the '{column}' column of '{table}' in the schema cache"
    )


def table_not_found(schema: str, name: str, suggestion: str | None) -> ApiError:
    hint = f"Perhaps you meant the table '{schema}.{suggestion}'" if suggestion else None
    return ApiError(
        404,
        "PGRST205",
        f"Could not find the table '{schema}.{name}' in the schema cache",
        hint=hint,
    )


def schema_cache_unavailable() -> ApiError:
    return ApiError(503, "PGRST002", "Could not query the database for the schema cache. Retrying.")


# ---------------------------------------------------------------------------
# JWT errors (PGRST3xx): 401 with a WWW-Authenticate challenge
# ---------------------------------------------------------------------------


def jwt_error(status: int, code: str, message: str, details: str | None) -> ApiError:
    headers: dict[str, str] = {}
    if status == 401:
        escaped = message.replace("\\", "\\\\").replace('"', '\\"')
        headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{escaped}"'
    return ApiError(status, code, message, details, headers=headers)


# ---------------------------------------------------------------------------
# Database errors: SQLSTATE -> HTTP status, exactly as PostgREST maps them
# ---------------------------------------------------------------------------

_EXACT_STATUS = {
    "23503": 409,
    "23505": 409,
    "25006": 405,
    "42883": 404,
    "42P01": 404,
    "42P17": 500,
    "53400": 500,
    "57P01": 503,
    "P0001": 400,
}

_PREFIX_STATUS = {
    "08": 503,
    "09": 500,
    "0L": 403,
    "0P": 403,
    "25": 500,
    "28": 403,
    "2D": 500,
    "38": 500,
    "39": 500,
    "3B": 500,
    "40": 500,
    "53": 503,
    "54": 500,
    "55": 500,
    "57": 500,
    "58": 500,
    "F0": 500,
    "HV": 500,
    "P0": 500,
    "XX": 500,
}


def sqlstate_status(sqlstate: str, message: str, authenticated: bool) -> int:
    """HTTP status for a SQLSTATE (PostgREST's mapSQLtoHTTP)."""
    if sqlstate == "42501":
        return 403 if authenticated else 401
    if sqlstate == "21000":
        return 400 if message.endswith("requires a WHERE clause") else 500
    if sqlstate == "22023":
        is_missing_role = message.startswith("role") and message.endswith("does not exist")
        return 401 if is_missing_role else 400
    if sqlstate in _EXACT_STATUS:
        return _EXACT_STATUS[sqlstate]
    if sqlstate.startswith("PT"):
        try:
            return int(sqlstate[2:])
        except ValueError:
            return 500
    return _PREFIX_STATUS.get(sqlstate[:2], 400)


def response_too_large(size: int, limit: int) -> ApiError:
    """The gateway's response cap, shaped as Postgres's program_limit_exceeded (54000), which
    PostgREST answers with 500: a limit of the server, which paging gets under."""
    return ApiError(
        500,
        "54000",
        f"The response body ({size} bytes) exceeds the limit of {limit} bytes",
        None,
        "Ask for fewer rows (limit and offset, or a Range header) or fewer columns.",
    )


def from_database_error(error: psycopg.Error, authenticated: bool) -> ApiError:
    """The PostgREST response for an error the database raised."""
    diag = error.diag
    sqlstate = diag.sqlstate or ""
    message = diag.message_primary or str(error)
    if isinstance(error, PoolTimeout):
        # PostgREST: db-pool-acquisition-timeout expired (`PgError ... PoolAcqTimeout`).
        return ApiError(504, "PGRST003", "Timed out acquiring connection from connection pool.")
    if not sqlstate and isinstance(error, psycopg.DataError) and "NUL" in str(error):
        # Postgres refuses a NUL in any text value it is sent; PostgREST passes the error on.
        return ApiError(400, "22021", 'invalid byte sequence for encoding "UTF8": 0x00')
    if not sqlstate:
        # No SQLSTATE: the connection itself failed.
        return ApiError(503, "PGRST000", "Database connection error.", str(error) or None)
    if sqlstate == "PGRST":
        return _raised_pgrst_error(message, diag.message_detail)
    status = sqlstate_status(sqlstate, message, authenticated)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return ApiError(status, sqlstate, message, diag.message_detail, diag.message_hint, headers)


def _raised_pgrst_error(message: str, detail: str | None) -> ApiError:
    """`RAISE SQLSTATE 'PGRST' USING message = '{json}', detail = '{json}'`: full control."""
    try:
        body = json.loads(message)
        if not isinstance(body, dict) or "code" not in body or "message" not in body:
            raise ValueError
    except ValueError:
        return ApiError(
            500,
            "PGRST121",
            "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error",
            f"Invalid JSON value for MESSAGE: '{message}'",
            "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional"
            " keys: 'details', 'hint'.",
        )
    detail_hint = (
        "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional"
        " key: 'status_text'."
    )
    if detail is None:
        return ApiError(
            500,
            "PGRST121",
            "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error",
            "DETAIL is missing in the RAISE statement",
            detail_hint,
        )
    try:
        control = json.loads(detail)
        if not isinstance(control, dict) or "status" not in control or "headers" not in control:
            raise ValueError
        status = int(control["status"])
        headers = {str(k): str(v) for k, v in dict(control["headers"]).items()}
    except (ValueError, TypeError):
        return ApiError(
            500,
            "PGRST121",
            "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error",
            f"Invalid JSON value for DETAIL: '{detail}'",
            detail_hint,
        )
    details = body.get("details")
    hint = body.get("hint")
    return ApiError(
        status,
        str(body["code"]),
        str(body["message"]),
        None if details is None else str(details),
        None if hint is None else str(hint),
        headers,
    )
