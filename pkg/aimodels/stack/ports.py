"""Loopback ports: is one free, which one to take, and who is listening on it.

A port found free may be taken a moment later by someone else, so a server is started on
it and, if it then finds the port taken, started again on another one (`start_on_free_port`).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

from aimodels.stack import procfs
from aimodels.stack.errors import PortTaken

log = logging.getLogger("aimodels.stack")

START_ATTEMPTS = 3


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port the kernel says nobody holds right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pick_port(preferred: int) -> int:
    """The preferred port (Supabase's default) if free, else any free local port."""
    return preferred if port_is_free(preferred) else free_port()


def start_on_free_port(first: int, start: Callable[[int], None]) -> int:
    """Run `start(port)` on `first`, moving to a free port while it raises PortTaken.

    `start` checks the port itself just before the server binds, and raises PortTaken when
    the server found it taken; returns the port the server now listens on.
    """
    port = first
    for _ in range(START_ATTEMPTS):
        try:
            start(port)
        except PortTaken:
            moved = free_port()
            log.warning("port %d is taken; moving to %d", port, moved)
            port = moved
        else:
            return port
    raise PortTaken(port)


def listens_on(pid: int, port: int) -> bool:
    """Whether process `pid` holds the listening socket on `port` (not someone else)."""
    inodes = procfs.listening_socket_inodes(port)
    return bool(inodes) and bool(inodes & procfs.socket_inodes(pid))
