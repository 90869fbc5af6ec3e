"""The HTTP side: a JSON API (`/api/v1/messages`, `/api/v1/messages/{id}`) and a small page.

The page lists the messages (newest first) and shows one with its HTML body, whose links
work as they would in a mail client.
"""

from __future__ import annotations

from html import escape

from pydantic import TypeAdapter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from aimodels.mailcatcher.messages import Message, MessageStore, MessageSummary

_SUMMARIES = TypeAdapter(list[MessageSummary])

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.3em 1em;text-align:left}}
tr:nth-child(even){{background:#f4f4f4}}</style></head>
<body><h1>{title}</h1>{body}</body></html>"""


def build_app(store: MessageStore) -> Starlette:
    async def list_api(_request: Request) -> Response:
        messages = store.list()
        summaries = [MessageSummary.model_validate(m.model_dump()) for m in messages]
        body = {"total": len(messages), "messages": _SUMMARIES.dump_python(summaries, mode="json")}
        return JSONResponse(body)

    async def message_api(request: Request) -> Response:
        message = store.get(request.path_params["message_id"])
        if message is None:
            return JSONResponse({"error": "message not found"}, status_code=404)
        return JSONResponse(message.model_dump(mode="json"))

    async def delete_api(_request: Request) -> Response:
        store.clear()
        return Response(status_code=204)

    async def index(_request: Request) -> Response:
        rows = "".join(
            f'<tr id="message-{m.id}"><td>{escape(m.created.strftime("%H:%M:%S"))}</td>'
            f"<td>{escape(', '.join(m.to))}</td>"
            f'<td><a href="/view/{m.id}">{escape(m.subject)}</a></td>'
            f"<td>{escape(m.snippet)}</td></tr>"
            for m in store.list()
        )
        table = (
            "<table><tr><th>received</th><th>to</th><th>subject</th><th>preview</th></tr>"
            f"{rows}</table>"
            if rows
            else "<p>No messages yet.</p>"
        )
        return HTMLResponse(_PAGE.format(title="Mail catcher", body=table))

    async def view(request: Request) -> Response:
        message = store.get(request.path_params["message_id"])
        if message is None:
            return HTMLResponse(_PAGE.format(title="Not found", body=""), status_code=404)
        return HTMLResponse(_PAGE.format(title=escape(message.subject), body=_render(message)))

    return Starlette(
        routes=[
            Route("/", index),
            Route("/view/{message_id}", view),
            Route("/api/v1/messages", list_api, methods=["GET"]),
            Route("/api/v1/messages", delete_api, methods=["DELETE"]),
            Route("/api/v1/messages/{message_id}", message_api),
        ]
    )


def _render(message: Message) -> str:
    # The HTML part comes from the project's own mailer; shown as a mail client shows it.
    header = (
        f"<p>From: {escape(message.sender)}<br>To: {escape(', '.join(message.to))}</p>"
        '<p><a href="/">all messages</a></p><hr>'
    )
    return header + (message.html or f"<pre>{escape(message.text)}</pre>")
