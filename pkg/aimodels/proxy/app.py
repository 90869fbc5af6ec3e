"""The OpenAI-compatible service: `GET /v1/models`, `POST /v1/chat/completions`.

The caller's Supabase access token is the Bearer, verified here (see caller); the service
never decides who may do what, the database does (see user_database). Errors are
OpenAI-shaped (see errors). One log line per request: method, path, status, model; never
a token, a key or a prompt.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aimodels.proxy.accounting import Delivered
from aimodels.proxy.caller import Caller, VerifiedCallers, bearer_token
from aimodels.proxy.chat_flow import ChatService, OpenStream, prepare
from aimodels.proxy.errors import ErrorCode, ProxyError, invalid_body
from aimodels.proxy.platform_api import PlatformApi
from aimodels.proxy.provider_client import ProviderClient, provider_session
from aimodels.proxy.settings import ProxySettings
from aimodels.proxy.stream_relay import StreamRelay
from aimodels.proxy.user_database import UserDatabase
from aimodels.proxy.wire import ChatRequest

log = logging.getLogger("aimodels.proxy")

MAX_IDEMPOTENCY_KEY = 200


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
        raise ProxyError(
            ErrorCode.INVALID_REQUEST,
            f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters",
            param="Idempotency-Key",
        )
    return key


async def read_chat_request(request: Request) -> ChatRequest:
    try:
        return ChatRequest.model_validate(json.loads(await request.body() or b"null"))
    except json.JSONDecodeError:
        raise ProxyError(ErrorCode.INVALID_REQUEST, "the body is not valid JSON") from None
    except ValidationError as error:
        raise invalid_body(error) from None


def create_proxy_app(settings: ProxySettings) -> Starlette:
    state: dict[str, ChatService] = {}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        async with (
            UserDatabase.pool_for(settings) as pool,
            httpx.AsyncClient(timeout=30, limits=limits) as api_http,
            provider_session() as provider_http,
        ):
            db = UserDatabase(pool)
            await db.load_role_settings()
            follower = asyncio.create_task(
                db.follow_role_settings(settings.db_url.get_secret_value())
            )
            state["chat"] = ChatService(
                db,
                PlatformApi(settings, api_http),
                ProviderClient(provider_http, settings.provider_timeout),
            )
            try:
                yield
            finally:
                follower.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follower

    callers = VerifiedCallers(settings.jwt_secret)

    def caller_of(request: Request) -> Caller:
        return callers.caller(bearer_token(request))

    async def list_models(request: Request) -> Response:
        models = await state["chat"].db.usable_models(caller_of(request))
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {
                        "id": str(model.id),
                        "object": "model",
                        "created": 0,
                        "owned_by": "system",
                        "name": model.name,
                        "description": model.description,
                        "max_tokens": model.max_tokens,
                        "is_free": model.is_free,
                        "token_limit_period": model.token_limit_period,
                        "effective_token_limit": model.effective_token_limit,
                        "trial_ends_at": model.trial_ends_at.isoformat()
                        if model.trial_ends_at
                        else None,
                    }
                    for model in models
                ],
            }
        )

    async def chat_completions(request: Request) -> Response:
        caller = caller_of(request)
        key = idempotency_key(request)
        chat = await read_chat_request(request)
        service = state["chat"]
        call = prepare(await service.resolve(caller, chat.model), chat)
        request.state.model_id = str(call.model.id)
        if not chat.stream:
            answer, settlement = await service.complete(caller, call, key)
            return JSONResponse(answer, headers={"x-aimodels-settlement": settlement})
        stream = await service.open_stream(caller, call, key)

        async def finish(delivered: Delivered, opened: OpenStream = stream) -> None:
            await service.finish_stream(opened, delivered)

        relay = StreamRelay(
            stream.upstream, client_wants_usage=call.client_wants_usage, finish=finish
        )
        return _AsgiResponse(relay)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def on_proxy_error(_: Request, error: Exception) -> Response:
        if isinstance(error, ProxyError):
            return error.response()
        raise error

    app = Starlette(
        routes=[
            Route("/v1/models", list_models, methods=["GET"]),
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        exception_handlers={ProxyError: on_proxy_error},
        lifespan=lifespan,
    )
    app.add_middleware(_AccessLog)
    return app


class _AsgiResponse(Response):
    """Lets a route return a plain ASGI app (the stream relay) as its response."""

    def __init__(self, asgi: StreamRelay) -> None:
        self._asgi = asgi

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._asgi(scope, receive, send)


class _AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 0}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            log.info(
                "%s %s %s %.1fms",
                scope["method"],
                scope["path"],
                status["code"],
                (time.perf_counter() - started) * 1000,
            )
