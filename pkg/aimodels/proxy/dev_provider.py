"""`aimodels provider serve`: a deterministic OpenAI-compatible server for development.

It answers `GET /v1/models` and `POST /v1/chat/completions` (streamed or not) with the text
and usage `dev_answers.plan_answer` decides, and obeys the prompt's control markers (fail,
delay, slow chunks, cut streams, no usage): see `aimodels.proxy.dev_answers`. With an API
key configured it refuses other Bearer tokens, the way a real provider does.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from aimodels.proxy.dev_answers import PlannedAnswer, plan_answer
from aimodels.proxy.errors import ErrorCode, ProxyError, invalid_body
from aimodels.proxy.sse import DONE, event
from aimodels.proxy.wire import ChatRequest

DEV_MODELS = ("dev-echo",)


class StreamCut(Exception):
    """Raised inside a stream to drop the connection, as a crashing provider would."""


def create_dev_provider(api_key: str | None = None) -> Starlette:
    async def list_models(request: Request) -> Response:
        if refusal := _refuse_key(request, api_key):
            return refusal
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {"id": name, "object": "model", "created": 0, "owned_by": "aimodels-dev"}
                    for name in DEV_MODELS
                ],
            }
        )

    async def chat_completions(request: Request) -> Response:
        if refusal := _refuse_key(request, api_key):
            return refusal
        try:
            chat = ChatRequest.model_validate(json.loads(await request.body() or b"null"))
        except json.JSONDecodeError:
            return ProxyError(ErrorCode.INVALID_REQUEST, "the body is not JSON").response()
        except ValidationError as error:
            return invalid_body(error).response()
        answer = plan_answer(chat)
        controls = answer.controls
        if controls.delay_seconds:
            await asyncio.sleep(controls.delay_seconds)
        if controls.fail_status is not None:
            return JSONResponse(
                {
                    "error": {
                        "message": f"the development provider was told to fail "
                        f"with {controls.fail_status}",
                        "type": "api_error" if controls.fail_status >= 500 else "invalid_request",
                        "code": "dev_provider_failure",
                    }
                },
                status_code=controls.fail_status,
            )
        completion_id = f"chatcmpl-dev-{uuid.uuid4().hex[:24]}"
        if chat.stream:
            include_usage = bool(chat.stream_options and chat.stream_options.include_usage)
            return StreamingResponse(
                _stream(chat.model, completion_id, answer, include_usage),
                media_type="text/event-stream",
                headers={"cache-control": "no-cache"},
            )
        body: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": chat.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.text},
                    "finish_reason": answer.finish_reason,
                }
            ],
        }
        if not controls.no_usage:
            body["usage"] = answer.usage.model_dump()
        return JSONResponse(body)

    return Starlette(
        routes=[
            Route("/v1/models", list_models, methods=["GET"]),
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/health", _health, methods=["GET"]),
        ]
    )


async def _health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _refuse_key(request: Request, api_key: str | None) -> Response | None:
    if api_key is None:
        return None
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if hmac.compare_digest(sent.encode(), api_key.encode()):
        return None
    # Never echo what was sent: it may be someone's key.
    return ProxyError(ErrorCode.INVALID_API_KEY, "incorrect API key provided").response()


async def _stream(
    model: str, completion_id: str, answer: PlannedAnswer, include_usage: bool
) -> AsyncIterator[bytes]:
    created = int(time.time())
    controls = answer.controls

    def chunk(delta: dict[str, str], finish: str | None) -> bytes:
        return event(
            {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    yield chunk({"role": "assistant", "content": ""}, None)
    for index, word in enumerate(answer.words):
        if controls.cut_after_chunks is not None and index >= controls.cut_after_chunks:
            raise StreamCut(f"cut after {index} chunks, as the prompt asked")
        if controls.chunk_delay_seconds:
            await asyncio.sleep(controls.chunk_delay_seconds)
        yield chunk({"content": word if index == 0 else " " + word}, None)
    yield chunk({}, answer.finish_reason)
    if include_usage and not controls.no_usage:
        yield event(
            {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [],
                "usage": answer.usage.model_dump(),
            }
        )
    yield event(DONE)
