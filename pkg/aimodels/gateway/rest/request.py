"""HTTP request -> typed ApiRequest (PostgREST's ApiRequest.hs + ApiRequest/Payload.hs).

Decides the action from method and path, the schema from the profile headers, parses the
query string, the Prefer header, the Range header and the JSON payload. No database access.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum

from aimodels.gateway.rest import errors
from aimodels.gateway.rest.preferences import Preferences, parse_preferences
from aimodels.gateway.rest.query_params import parse_query
from aimodels.gateway.rest.types import QueryParams, Range


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    UPSERT = "upsert"  # PUT: a single-row upsert addressed by its primary key
    DELETE = "delete"
    CALL = "call"
    SCHEMA = "schema"  # GET / : the OpenAPI description
    TABLE_INFO = "table_info"  # OPTIONS /table
    ROUTINE_INFO = "routine_info"  # OPTIONS /rpc/fn
    SCHEMA_INFO = "schema_info"  # OPTIONS /


class MediaType(StrEnum):
    JSON = "application/json"
    OBJECT = "application/vnd.pgrst.object+json"
    OBJECT_STRIPPED = "application/vnd.pgrst.object+json;nulls=stripped"
    ARRAY_STRIPPED = "application/vnd.pgrst.array+json;nulls=stripped"
    CSV = "text/csv"
    OPENAPI = "application/openapi+json"
    ANY = "*/*"


@dataclass(frozen=True, slots=True)
class Payload:
    """A JSON body as sent; `keys` are the columns it names (all objects must agree)."""

    raw: str
    keys: tuple[str, ...]
    is_array: bool


@dataclass(frozen=True, slots=True)
class ApiRequest:
    method: str
    path: str
    action: Action
    target: str
    schema: str
    negotiated_by_profile: bool
    query: QueryParams
    preferences: Preferences
    top_range: Range
    payload: Payload | None
    columns: tuple[str, ...]
    accept: tuple[str, ...]
    content_type: str
    headers_only: bool = False  # HEAD

    @property
    def is_read_only(self) -> bool:
        return self.method in ("GET", "HEAD")


_RANGE = re.compile(r"^([0-9]+)-([0-9]*)$")


def build_api_request(
    *,
    method: str,
    path_parts: list[str],
    raw_path: str,
    query_string: str,
    headers: dict[str, list[str]],
    body: bytes,
    schemas: tuple[str, ...],
) -> ApiRequest:
    """`headers` maps lowercased names to all their values."""
    action, target = _action(method, path_parts)
    schema, negotiated = _schema(method, headers, schemas)
    query = parse_query(query_string, rpc_read=action is Action.CALL and method in ("GET", "HEAD"))
    preferences = parse_preferences(headers.get("prefer", []))
    top_range = _top_range(method, query, _first(headers, "range"))
    content_type = (_first(headers, "content-type") or "application/json").split(";")[0].strip()
    payload, columns = _payload(action, method, body, content_type.lower(), query)
    return ApiRequest(
        method=method,
        path=raw_path,
        action=action,
        target=target,
        schema=schema,
        negotiated_by_profile=negotiated,
        query=query,
        preferences=preferences,
        top_range=top_range,
        payload=payload,
        columns=columns,
        accept=_accepted(_first(headers, "accept")),
        content_type=content_type.lower(),
        headers_only=method == "HEAD",
    )


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _action(method: str, parts: list[str]) -> tuple[Action, str]:
    if len(parts) == 2 and parts[0] == "rpc":
        actions = {"GET": Action.CALL, "HEAD": Action.CALL, "POST": Action.CALL}
        if method == "OPTIONS":
            return Action.ROUTINE_INFO, parts[1]
        if method not in actions:
            raise errors.invalid_rpc_method(method)
        return actions[method], parts[1]
    if len(parts) == 1:
        table_actions = {
            "GET": Action.READ,
            "HEAD": Action.READ,
            "POST": Action.CREATE,
            "PUT": Action.UPSERT,
            "PATCH": Action.UPDATE,
            "DELETE": Action.DELETE,
            "OPTIONS": Action.TABLE_INFO,
        }
        if method not in table_actions:
            raise errors.unsupported_method(method)
        return table_actions[method], parts[0]
    if not parts:
        root_actions = {"GET": Action.SCHEMA, "HEAD": Action.SCHEMA, "OPTIONS": Action.SCHEMA_INFO}
        if method not in root_actions:
            raise errors.unsupported_method(method)
        return root_actions[method], ""
    raise errors.invalid_resource_path()


def _schema(
    method: str, headers: dict[str, list[str]], schemas: tuple[str, ...]
) -> tuple[str, bool]:
    """Accept-Profile for reads, Content-Profile for writes; it must be an exposed schema."""
    header = "content-profile" if method in ("POST", "PATCH", "PUT", "DELETE") else "accept-profile"
    profile = _first(headers, header)
    if profile is None:
        return schemas[0], len(schemas) != 1
    if profile not in schemas:
        raise errors.unacceptable_schema(profile, schemas)
    return profile, True


def _top_range(method: str, query: QueryParams, range_header: str | None) -> Range:
    limit_range = query.ranges.get((), Range())
    if limit_range.limit is not None and limit_range.limit < 0:
        raise errors.invalid_range("Limit should be greater than or equal to zero.")
    if method == "PUT" and not limit_range.is_all:
        raise errors.put_limit_not_allowed()
    if method != "GET" or range_header is None:
        return limit_range
    match = _RANGE.match(range_header.strip())
    if match is None:
        return limit_range
    lower = int(match.group(1))
    upper = int(match.group(2)) if match.group(2) else None
    if upper is not None and upper < lower:
        if limit_range.limit == 0:
            return limit_range
        raise errors.invalid_range(
            "The lower boundary must be lower than or equal to the upper boundary in the"
            " Range header."
        )
    header_range = Range(lower, None if upper is None else upper - lower + 1)
    return _intersect(header_range, limit_range)


def _intersect(a: Range, b: Range) -> Range:
    if b.limit == 0:
        return b
    lower = max(a.offset, b.offset)
    uppers = [r.offset + r.limit - 1 for r in (a, b) if r.limit is not None]
    if not uppers:
        return Range(lower, None)
    return Range(lower, max(min(uppers) - lower + 1, 0))


def _payload(
    action: Action, method: str, body: bytes, content_type: str, query: QueryParams
) -> tuple[Payload | None, tuple[str, ...]]:
    takes_body = action in (Action.CREATE, Action.UPDATE, Action.UPSERT) or (
        action is Action.CALL and method == "POST"
    )
    if not takes_body:
        return None, ()
    is_call = action is Action.CALL
    if content_type not in ("application/json", "application/vnd.pgrst.object+json"):
        if content_type == "application/x-www-form-urlencoded":
            return _form_payload(body)
        raise errors.invalid_body(f"Content-Type not acceptable: {content_type}")
    text = body.decode("utf-8", errors="replace")
    columns_param = query.columns if action in (Action.CREATE, Action.UPDATE, Action.CALL) else None
    if columns_param is not None:
        return Payload(text, columns_param, text.lstrip()[:1] == "["), columns_param
    if not text.strip() and is_call:
        text = "{}"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        # PostgREST: any body its JSON parser refuses is 400 PGRST102, nesting too deep
        # to parse included (never a 500).
        raise errors.invalid_body("Empty or invalid json") from None
    if isinstance(value, dict):
        keys = tuple(value)
        return Payload(text, keys, False), keys
    if isinstance(value, list) and value:
        if not all(isinstance(item, dict) for item in value):
            raise errors.invalid_body("All object keys must match")
        keys = tuple(value[0])
        if any(set(item) != set(keys) for item in value):
            raise errors.invalid_body("All object keys must match")
        return Payload(text, keys, True), keys
    return Payload("[]", (), True), ()


def _form_payload(body: bytes) -> tuple[Payload, tuple[str, ...]]:
    from urllib.parse import parse_qsl

    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    as_object = dict(pairs)
    return Payload(json.dumps(as_object), tuple(as_object), False), tuple(as_object)


def _accepted(accept: str | None) -> tuple[str, ...]:
    """Media types in the Accept header, best quality first (stable for equal q)."""
    if not accept:
        return (MediaType.ANY.value,)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        quality = 1.0
        params: list[str] = []
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif param:
                params.append(param.replace(" ", "").lower())
        media = pieces[0].lower()
        if params and media.startswith("application/vnd.pgrst."):
            media = media + ";" + ";".join(params)
        if quality > 0:
            ranked.append((-quality, index, media))
    return tuple(media for _, _, media in sorted(ranked)) or (MediaType.ANY.value,)
