"""Starlette routes of `/rest/v1`: the pipeline read top to bottom.

claims (core tokens) -> ApiRequest (request.py) -> plan (plan.py) -> SQL (sql.py) -> one
transaction (core db.request_transaction) -> response (response.py). Every failure is an
ApiError from errors.py, turned into PostgREST's JSON error once, here at the edge.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import psycopg
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from aimodels.gateway.db import (
    RequestTransaction,
    Statement,
    encode_request_cookies,
    encode_request_headers,
    request_transaction,
)
from aimodels.gateway.health import Readiness
from aimodels.gateway.rest import errors, explain, openapi
from aimodels.gateway.rest.errors import ApiError
from aimodels.gateway.rest.plan import Plan, find_routine, find_table, plan_request
from aimodels.gateway.rest.plan_cache import PLAN_HEADERS, PlanCache, PlanKey, PreparedRequest
from aimodels.gateway.rest.preferences import Count, Handling, Preferences, Representation
from aimodels.gateway.rest.reloader import SchemaCacheHolder
from aimodels.gateway.rest.request import Action, ApiRequest, build_api_request
from aimodels.gateway.rest.response import (
    VARY,
    Negotiated,
    RestResponse,
    ResultSet,
    mutation_response,
    negotiate,
    read_response,
)
from aimodels.gateway.rest.schema_cache import SchemaCache, Volatility
from aimodels.gateway.rest.sql import (
    BodyShape,
    call_statement,
    capped,
    count_explain_statement,
    mutate_statement,
    read_statement,
)
from aimodels.gateway.settings import GatewaySettings
from aimodels.gateway.tokens import JwtError, RequestClaims, resolve_request_claims

_MISS_CODES = ("PGRST200", "PGRST202", "PGRST205")
_MISS_RELOAD_INTERVAL = 1.0


class RestContext(Protocol):
    @property
    def settings(self) -> GatewaySettings: ...

    @property
    def rest_pool(self) -> AsyncConnectionPool: ...

    @property
    def readiness(self) -> Readiness: ...


class RestApi:
    """The REST half: settings, the pool and the schema cache it serves."""

    def __init__(self, settings: GatewaySettings, pool: AsyncConnectionPool) -> None:
        self.settings = settings
        self.pool = pool
        self.cache = SchemaCacheHolder(pool, settings.db_url.get_secret_value(), settings.schemas)
        self._last_miss_reload = 0.0
        self._plans = PlanCache()

    async def handle(self, request: Request) -> Response:
        try:
            try:
                rest = await self._respond(request)
            except RecursionError:
                # A request nested past Python's stack (select, logic, body) is a bad request.
                raise errors.query_param_error("Request nesting is too deep", "") from None
        except ApiError as error:
            rest = RestResponse(
                error.status,
                [("Content-Type", "application/json; charset=utf-8"), *error.headers.items()],
                b"" if request.method == "HEAD" else error.body(),
            )
        headers = rest.headers
        if not any(k.lower() == "vary" for k, _ in headers):
            headers = [*headers, ("Vary", VARY)]
        response = Response(rest.body, status_code=rest.status)
        for key, value in headers:
            response.headers.append(key, value)
        return response

    async def _respond(self, http: Request) -> RestResponse:
        claims = _claims(self.settings, http)
        body = await http.body()
        path = http.path_params.get("path", "")
        key = None if body else _plan_key(http, path)
        if key is not None:
            prepared = self._plans.get(key, await self.cache.get())
            if prepared is not None:
                return await self._execute(http, prepared, claims)
        parts = [p for p in path.split("/") if p]
        api_request = build_api_request(
            method=http.method,
            path_parts=parts,
            raw_path="/" + "/".join(parts),
            query_string=http.url.query,
            headers=_header_lists(http),
            body=body,
            schemas=self.settings.schemas,
        )
        cache = await self.cache.get()
        try:
            return await self._dispatch(http, api_request, cache, claims, key)
        except ApiError as error:
            if error.code not in _MISS_CODES or not await self._reload_after_miss():
                raise
        return await self._dispatch(http, api_request, await self.cache.get(), claims, key)

    async def _reload_after_miss(self) -> bool:
        """A name the cache does not know may be new DDL: reload at most once a second."""
        now = time.monotonic()
        if now - self._last_miss_reload < _MISS_RELOAD_INTERVAL:
            return False
        self._last_miss_reload = now
        await self.cache.reload()
        return True

    async def _dispatch(
        self,
        http: Request,
        api_request: ApiRequest,
        cache: SchemaCache,
        claims: RequestClaims,
        key: PlanKey | None,
    ) -> RestResponse:
        action = api_request.action
        if action is Action.TABLE_INFO:
            return _table_info(api_request, cache)
        if action is Action.ROUTINE_INFO:
            return _routine_info(api_request, cache)
        if action is Action.SCHEMA_INFO:
            return _info_response("OPTIONS,GET,HEAD")
        if action is Action.SCHEMA:
            return await self._openapi(http, api_request, cache, claims)
        if api_request.preferences.handling is Handling.STRICT and api_request.preferences.invalid:
            raise errors.invalid_preferences(list(api_request.preferences.invalid))
        plan = plan_request(api_request, cache, self.settings.max_rows)
        if self.settings.db_plan_enabled and (wanted := explain.requested_plan(api_request.accept)):
            return await self._explain(http, plan, wanted, claims)
        media = negotiate(api_request)
        statement = _statement(plan, media, self.settings.max_response_bytes)
        prepared = PreparedRequest(cache, plan, media, statement)
        if key is not None:
            self._plans.put(key, prepared)
        return await self._execute(http, prepared, claims)

    async def _execute(
        self, http: Request, prepared: PreparedRequest, claims: RequestClaims
    ) -> RestResponse:
        plan, media, query = prepared.plan, prepared.media, prepared.query
        request = plan.request
        prefs = request.preferences
        action = request.action
        authenticated = claims.role != self.settings.anon_role
        try:
            async with self._transaction(
                http,
                claims,
                request,
                read_only=plan.read_only,
                first=query,
                commit_with_first=_nothing_can_veto(plan, media),
            ) as tx:
                result = _result_set(tx.first_row, self.settings.max_response_bytes)
                if media.is_single and result.page_total != 1:
                    # Raised inside the transaction so a mutation is rolled back.
                    raise errors.singularity_error(result.page_total)
                if action is Action.UPSERT and result.page_total != 1:
                    raise errors.put_matching_pk()
                _check_max_affected(action, prefs, result)
                if prefs.count in (Count.PLANNED, Count.ESTIMATED) and action in (
                    Action.READ,
                    Action.CALL,
                ):
                    result = await _with_planned_count(
                        tx.conn, plan, result, prefs.count, self.settings
                    )
        except psycopg.Error as error:
            raise errors.from_database_error(error, authenticated) from None
        if action in (Action.READ, Action.CALL):
            return read_response(request, plan, result, media)
        return mutation_response(request, plan, result, media)

    async def _explain(
        self, http: Request, plan: Plan, wanted: explain.PlanRequest, claims: RequestClaims
    ) -> RestResponse:
        """The main statement's EXPLAIN in the request's transaction, instead of its rows."""
        for_media = dataclasses.replace(plan.request, accept=(wanted.for_media,))
        statement = _statement(plan, negotiate(for_media), None)
        try:
            async with self._transaction(
                http, claims, plan.request, read_only=plan.read_only
            ) as tx:
                body = await explain.explain(tx.conn, statement, wanted, writes=not plan.read_only)
        except psycopg.Error as error:
            raise errors.from_database_error(
                error, claims.role != self.settings.anon_role
            ) from None
        return RestResponse(200, [("Content-Type", wanted.content_type)], body)

    def _transaction(
        self,
        http: Request,
        claims: RequestClaims,
        request: ApiRequest,
        *,
        read_only: bool,
        first: Statement | None = None,
        commit_with_first: bool = False,
    ) -> AbstractAsyncContextManager[RequestTransaction]:
        """The request's one transaction, with every setting PostgREST gives it."""
        return request_transaction(
            self.pool,
            role=claims.role,
            claims_json=claims.claims_json,
            method=request.method,
            path=request.path,
            headers_json=encode_request_headers(http.headers.items()),
            cookies_json=encode_request_cookies(http.headers.get("cookie")),
            read_only=read_only,
            schema=request.schema,
            extra_search_path=self.settings.extra_search_path,
            first=first,
            commit_with_first=commit_with_first,
            role_settings=self.cache.role_settings(claims.role),
        )

    async def _openapi(
        self, http: Request, api_request: ApiRequest, cache: SchemaCache, claims: RequestClaims
    ) -> RestResponse:
        if not any(
            m in ("*/*", "application/json", "application/openapi+json") for m in api_request.accept
        ):
            raise errors.media_type_error(list(api_request.accept))
        authenticated = claims.role != self.settings.anon_role
        try:
            async with self._transaction(http, claims, api_request, read_only=True) as tx:
                visible = await openapi.accessible_tables(tx.conn, api_request.schema)
        except psycopg.Error as error:
            raise errors.from_database_error(error, authenticated) from None
        document = openapi.describe(cache, api_request.schema, visible, http.headers.get("host"))
        headers = [("Content-Type", "application/openapi+json; charset=utf-8")]
        if api_request.negotiated_by_profile:
            headers.append(("Content-Profile", api_request.schema))
        body = b"" if api_request.headers_only else json.dumps(document).encode()
        return RestResponse(200, headers, body)


# An int larger than any body (bytea and text top out at 1 GB).
_NO_CAP = 2**62


def _statement(plan: Plan, media: Negotiated, max_body_bytes: int | None) -> Statement:
    """The main statement, rendered once (a remembered plan reuses the text).

    `max_body_bytes` None leaves reads and calls unwrapped: EXPLAIN shows the statement's
    own plan, as PostgREST's does, not the cap around it.
    """
    request = plan.request
    prefs = request.preferences
    action = request.action
    if action in (Action.READ, Action.CALL):
        shape = BodyShape.NONE if request.headers_only else media.shape
        render = read_statement if action is Action.READ else call_statement
        query = render(plan, shape, prefs.should_count, media.strip_nulls)
        if max_body_bytes is not None:
            query = capped(query, max_body_bytes)
    else:
        full = prefs.representation is Representation.FULL
        shape = media.shape if full else BodyShape.NONE
        want_location = (
            action is Action.CREATE and prefs.representation is Representation.HEADERS_ONLY
        )
        query = mutate_statement(
            plan,
            shape,
            _NO_CAP if max_body_bytes is None else max_body_bytes,
            media.strip_nulls,
            want_location,
        )
    return Statement(query.statement.as_bytes(None), query.params)


def _nothing_can_veto(plan: Plan, media: Negotiated) -> bool:
    """A read-only table read with no check after the statement: its COMMIT can go along.

    Reads that could still fail after their statement (a single object that is not one
    row, a planned count that needs an EXPLAIN) keep the separate COMMIT.
    """
    prefs = plan.request.preferences
    return (
        plan.request.action is Action.READ
        and plan.read_only
        and not media.is_single
        and prefs.count not in (Count.PLANNED, Count.ESTIMATED)
    )


def _plan_key(http: Request, path: str) -> PlanKey:
    headers = http.headers
    return (
        http.method,
        path,
        http.url.query,
        tuple(tuple(headers.getlist(name)) for name in PLAN_HEADERS),
    )


def _check_max_affected(action: Action, prefs: Preferences, result: ResultSet) -> None:
    """`Prefer: handling=strict, max-affected=N`: more rows than N fails and rolls back."""
    limit = prefs.max_affected
    if prefs.handling is not Handling.STRICT or limit is None:
        return
    if action in (Action.UPDATE, Action.DELETE, Action.CALL) and result.page_total > limit:
        raise errors.max_affected_violation(result.page_total)


def _result_set(row: tuple[Any, ...] | None, max_body_bytes: int) -> ResultSet:
    if row is None:
        return ResultSet(None, 0, "", None, None, None, None)
    total, page_total, body, guc_headers, guc_status, inserted, first_row, body_bytes = row
    if body is None and body_bytes is not None and body_bytes > max_body_bytes:
        # Raised inside the transaction: a mutation that would answer so much rolls back.
        raise errors.response_too_large(int(body_bytes), max_body_bytes)
    return ResultSet(
        None if total is None else int(total),
        int(page_total or 0),
        body or "",
        guc_headers,
        guc_status,
        None if inserted is None else int(inserted),
        first_row,
    )


async def _with_planned_count(
    conn: psycopg.AsyncConnection,
    plan: Plan,
    result: ResultSet,
    count: Count,
    settings: GatewaySettings,
) -> ResultSet:
    """count=planned: the planner's estimate; estimated: exact unless above max_rows."""
    max_rows = settings.max_rows
    if count is Count.ESTIMATED and (
        result.table_total is None or max_rows is None or result.table_total <= max_rows
    ):
        return result
    explain = count_explain_statement(plan)
    async with conn.cursor() as cur:
        await cur.execute(explain.statement, explain.params)
        row = await cur.fetchone()
    planned: int | None = None
    if row is not None:
        document = row[0] if not isinstance(row[0], str) else json.loads(row[0])
        planned = int(document[0]["Plan"]["Plan Rows"])
    total = planned
    if count is Count.ESTIMATED and result.table_total is not None and planned is not None:
        total = max(result.table_total, planned)
    return ResultSet(
        total,
        result.page_total,
        result.body,
        result.guc_headers,
        result.guc_status,
        result.inserted,
        result.first_row,
    )


def _claims(settings: GatewaySettings, http: Request) -> RequestClaims:
    try:
        return resolve_request_claims(settings, http.headers)
    except JwtError as error:
        raise errors.jwt_error(error.status, error.code, error.message, error.details) from None


def _header_lists(http: Request) -> dict[str, list[str]]:
    collected: dict[str, list[str]] = {}
    for key, value in http.headers.items():
        collected.setdefault(key.lower(), []).append(value)
    return collected


def _info_response(allow: str) -> RestResponse:
    return RestResponse(200, [("Access-Control-Allow-Origin", "*"), ("Allow", allow)])


def _table_info(request: ApiRequest, cache: SchemaCache) -> RestResponse:
    table = find_table(cache, request.schema, request.target)
    allowed = ["OPTIONS,GET,HEAD"]
    if table.insertable:
        allowed.append("POST")
    if table.insertable and table.updatable and table.primary_key:
        allowed.append("PUT")
    if table.updatable:
        allowed.append("PATCH")
    if table.deletable:
        allowed.append("DELETE")
    return _info_response(",".join(allowed))


def _routine_info(request: ApiRequest, cache: SchemaCache) -> RestResponse:
    routine = find_routine(request, cache, frozenset())
    if routine.volatility is Volatility.VOLATILE:
        return _info_response("OPTIONS,POST")
    return _info_response("OPTIONS,GET,HEAD,POST")


def build_rest_routes(context: RestContext) -> list[BaseRoute]:
    """The `/rest/v1` routes; mounted by the core app."""
    api = RestApi(context.settings, context.rest_pool)
    context.readiness.checks.append(api.cache.problem)
    endpoint = _AnyMethod(api.handle)
    return [Route("/", endpoint), Route("/{path:path}", endpoint)]


class _AnyMethod:
    """An ASGI endpoint for every method: PostgREST, not the router, refuses unknown ones.

    (PostgREST: TRACE or PROPFIND on a table is 405 PGRST117, on a function 405 PGRST101.)
    Starlette routes a class instance as plain ASGI, with no method list of its own.
    """

    def __init__(self, handler: Callable[[Request], Awaitable[Response]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive))
        await response(scope, receive, send)
