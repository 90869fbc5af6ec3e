"""Slow clients hold no database connection: sign-in keeps working beside them.

Each slow client announces a 200-byte body for the password grant and sends one byte; the
gateway must not give it an auth connection while it waits for the rest, so four of them
(the auth pool's size) cannot starve everyone else.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from tests.conformance.support import ApiTarget, ThrowawayUser

SLOW_CLIENTS = 4


@pytest.fixture
def slow_clients(api: ApiTarget) -> Iterator[list[socket.socket]]:
    parts = urlsplit(api.url)
    sockets = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=5)
        sock.sendall(
            b"POST /auth/v1/token?grant_type=password HTTP/1.1\r\n"
            + f"Host: {parts.netloc}\r\napikey: {api.anon_key}\r\n".encode()
            + b"Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"
        )
        sockets.append(sock)
    yield sockets
    for sock in sockets:
        sock.close()


def test_sign_in_works_while_slow_clients_trickle_their_bodies(
    api: ApiTarget, throwaway_user: ThrowawayUser, slow_clients: list[socket.socket]
) -> None:
    assert len(slow_clients) == SLOW_CLIENTS

    # Well under the pool's acquisition timeout: a starved pool would make this time out.
    response = requests.post(
        f"{api.auth_url}/token?grant_type=password",
        json={"email": throwaway_user.email, "password": throwaway_user.password},
        headers=api.anon_headers(),
        timeout=5,
    )

    assert response.status_code == 200, response.text
