"""Run the catcher: aiosmtpd's SMTP server and the web app on one event loop."""

from __future__ import annotations

import asyncio
import logging

import uvicorn
from aiosmtpd.smtp import SMTP, Envelope, Session

from aimodels.mailcatcher.messages import MessageStore
from aimodels.mailcatcher.web import build_app

log = logging.getLogger("aimodels.mailcatcher")

MAX_MESSAGE_BYTES = 10 * 1024 * 1024


class CatchAll:
    """aiosmtpd handler: every message to anyone is kept, nothing is relayed."""

    def __init__(self, store: MessageStore) -> None:
        self.store = store

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = self.store.add(raw, [str(r) for r in envelope.rcpt_tos])
        log.info("caught message %s to %s: %s", message.id, ", ".join(message.to), message.subject)
        return "250 Message accepted for delivery"


async def _serve(host: str, smtp_port: int, http_port: int) -> None:
    store = MessageStore()
    loop = asyncio.get_running_loop()
    handler = CatchAll(store)
    smtp_server = await loop.create_server(
        lambda: SMTP(handler, data_size_limit=MAX_MESSAGE_BYTES, enable_SMTPUTF8=True),
        host,
        smtp_port,
    )
    config = uvicorn.Config(build_app(store), host=host, port=http_port, log_level="warning")
    log.info("mail catcher: SMTP %s:%d, web http://%s:%d", host, smtp_port, host, http_port)
    try:
        await uvicorn.Server(config).serve()
    finally:
        smtp_server.close()
        await smtp_server.wait_closed()


def serve(host: str, smtp_port: int, http_port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(_serve(host, smtp_port, http_port))
