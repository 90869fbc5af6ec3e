"""Result row -> HTTP response (PostgREST's Response.hs and RangeQuery.hs).

Status, Content-Range, Preference-Applied, Content-Location, Location and Content-Type are
decided here from the action, the preferences and what the statement returned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from aimodels.gateway.rest import errors
from aimodels.gateway.rest.plan import InsertPlan, Plan
from aimodels.gateway.rest.preferences import (
    Preferences,
    Representation,
    Resolution,
)
from aimodels.gateway.rest.request import Action, ApiRequest, MediaType
from aimodels.gateway.rest.sql import BodyShape
from aimodels.gateway.rest.types import Range

VARY = "Accept, Prefer, Range"


@dataclass(frozen=True, slots=True)
class ResultSet:
    """One row of the main statement (PostgREST's RSStandard)."""

    table_total: int | None
    page_total: int
    body: str
    guc_headers: str | None
    guc_status: str | None
    inserted: int | None
    first_row: str | None


@dataclass(slots=True)
class RestResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Negotiated:
    """The chosen output: body shape and the Content-Type it is sent with."""

    shape: str
    content_type: str
    strip_nulls: bool = False

    @property
    def is_single(self) -> bool:
        return self.shape == BodyShape.SINGLE


_MEDIA = {
    MediaType.JSON.value: Negotiated(BodyShape.ARRAY, "application/json; charset=utf-8"),
    "application/vnd.pgrst.array+json": Negotiated(
        BodyShape.ARRAY, "application/json; charset=utf-8"
    ),
    MediaType.ANY.value: Negotiated(BodyShape.ARRAY, "application/json; charset=utf-8"),
    MediaType.OBJECT.value: Negotiated(
        BodyShape.SINGLE, "application/vnd.pgrst.object+json; charset=utf-8"
    ),
    MediaType.OBJECT_STRIPPED.value: Negotiated(
        BodyShape.SINGLE, "application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8", True
    ),
    MediaType.ARRAY_STRIPPED.value: Negotiated(
        BodyShape.ARRAY, "application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8", True
    ),
    MediaType.CSV.value: Negotiated(BodyShape.CSV, "text/csv; charset=utf-8"),
}


def negotiate(request: ApiRequest) -> Negotiated:
    for media in request.accept:
        chosen = _MEDIA.get(media)
        if chosen is not None:
            return chosen
    raise errors.media_type_error(list(request.accept))


def content_range(lower: int, upper: int, total: int | None) -> str:
    """`0-9/100`, `*/100` (empty page) or `0-9/*` (no count)."""
    in_range = total != 0 and lower <= upper
    shown_range = f"{lower}-{upper}" if in_range else "*"
    return f"{shown_range}/{'*' if total is None else total}"


def _profile_headers(request: ApiRequest) -> list[tuple[str, str]]:
    return [("Content-Profile", request.schema)] if request.negotiated_by_profile else []


def _prefs_applied(request: ApiRequest, plan: Plan) -> str | None:
    prefs = request.preferences
    action = request.action
    is_mutation = action in (Action.CREATE, Action.UPDATE, Action.UPSERT, Action.DELETE)
    keep_resolution = False
    if action is Action.CREATE and isinstance(plan.mutate, InsertPlan):
        keep_resolution = (
            bool(plan.mutate.table.primary_key) or request.query.on_conflict is not None
        )
    applied = Preferences(
        resolution=prefs.resolution if keep_resolution else None,
        representation=prefs.representation if is_mutation else None,
        count=prefs.count,
        missing=prefs.missing if action in (Action.CREATE, Action.UPDATE) else None,
        handling=prefs.handling,
        max_affected=prefs.max_affected
        if action in (Action.UPDATE, Action.DELETE, Action.CALL)
        else None,
    )
    return applied.applied_header()


def _with_overrides(response: RestResponse, result: ResultSet) -> RestResponse:
    """`response.status` / `response.headers` set by SQL override PostgREST's own."""
    if result.guc_status is not None:
        try:
            response.status = int(result.guc_status)
        except ValueError:
            raise errors.ApiError(
                500, "PGRST112", "response.status guc must be a valid status code"
            ) from None
    if result.guc_headers is not None:
        try:
            extra = json.loads(result.guc_headers)
            pairs = [(str(k), str(v)) for item in extra for k, v in dict(item).items()]
        except (ValueError, TypeError, AttributeError):
            raise errors.ApiError(
                500,
                "PGRST111",
                "response.headers guc must be a JSON array composed of objects with a single key"
                " and a string value",
            ) from None
        names = {k.lower() for k, _ in pairs}
        response.headers = [h for h in response.headers if h[0].lower() not in names] + pairs
    return response


def _location(request: ApiRequest, plan: Plan, result: ResultSet) -> list[tuple[str, str]]:
    if (
        result.first_row is None
        or result.page_total != 1
        or not isinstance(plan.mutate, InsertPlan)
    ):
        return []
    row = json.loads(result.first_row)
    pk = plan.mutate.table.primary_key
    parts = []
    for key, value in row.items():
        if key not in pk:
            continue
        rendered = (
            "is.null"
            if value is None
            else "eq." + (value if isinstance(value, str) else json.dumps(value))
        )
        parts.append(f"{quote(key, safe='-_.~')}={quote(rendered, safe='-_.~')}")
    if not parts:
        return []
    return [("Location", f"/{request.target}?" + "&".join(parts))]


def read_response(
    request: ApiRequest, plan: Plan, result: ResultSet, media: Negotiated
) -> RestResponse:
    """GET/HEAD on a table, and function calls (same range and count rules)."""
    rng: Range = request.top_range
    lower = rng.offset
    upper = lower + result.page_total - 1
    total = result.table_total
    status = 200
    if total is not None:
        if lower > total:
            status = 416
        elif 1 + upper - lower < total:
            status = 206
    headers = [("Content-Range", content_range(lower, upper, total))]
    routine = plan.call.routine if plan.call else None
    if request.action is Action.READ:
        location = f"/{request.target}" + (
            f"?{request.query.canonical}" if request.query.canonical else ""
        )
        headers.append(("Content-Location", location))
    prefs = _prefs_applied(request, plan)
    if routine is not None and routine.returns_void:
        response = RestResponse(204, headers + ([("Preference-Applied", prefs)] if prefs else []))
        return _with_overrides(response, result)
    headers += [("Content-Type", media.content_type), *_profile_headers(request)]
    if prefs:
        headers.append(("Preference-Applied", prefs))
    if status == 416:
        error = errors.invalid_range(
            f"An offset of {lower} was requested, but there are only {total} rows."
        )
        body = error.body()
        headers = [(k, v) for k, v in headers if k != "Content-Type"] + [
            ("Content-Type", "application/json; charset=utf-8")
        ]
    else:
        body = b"" if request.headers_only else result.body.encode()
    return _with_overrides(RestResponse(status, headers, body), result)


def mutation_response(
    request: ApiRequest, plan: Plan, result: ResultSet, media: Negotiated
) -> RestResponse:
    prefs = request.preferences
    total = result.page_total if prefs.should_count else None
    full = prefs.representation is Representation.FULL
    applied = _prefs_applied(request, plan)
    applied_headers = [("Preference-Applied", applied)] if applied else []
    body_headers = (
        [("Content-Type", media.content_type), *_profile_headers(request)] if full else []
    )
    body = result.body.encode() if full else b""
    action = request.action
    if action is Action.CREATE:
        status = 201
        if (
            prefs.resolution is Resolution.MERGE_DUPLICATES
            and result.inserted is not None
            and result.inserted <= 0
        ):
            status = 200
        headers = [
            *_location(request, plan, result),
            ("Content-Range", content_range(1, 0, total)),
            *applied_headers,
            *body_headers,
        ]
        return _with_overrides(RestResponse(status, headers, body), result)
    if action is Action.UPSERT:
        if not full:
            return _with_overrides(RestResponse(204, applied_headers), result)
        status = 201 if (result.inserted or 0) > 0 else 200
        return _with_overrides(RestResponse(status, body_headers + applied_headers, body), result)
    if action is Action.UPDATE:
        range_header = ("Content-Range", content_range(0, result.page_total - 1, total))
    else:
        range_header = ("Content-Range", content_range(1, 0, total))
    headers = [range_header, *applied_headers, *body_headers]
    return _with_overrides(RestResponse(200 if full else 204, headers, body), result)
