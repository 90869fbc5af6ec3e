"""What Linux's /proc says about processes and sockets, read without privileges we lack.

The stack finds its own processes by a marker in their environment rather than by pid
files alone, so a recycled pid never makes it signal a stranger.
"""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")
_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's `st` column


def is_alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to reap it."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def command_line(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def processes_with_env(marker: str) -> list[int]:
    """Live processes whose environment holds `marker` (a NAME=value entry), oldest first."""
    wanted = marker.encode()
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in environment and is_alive(int(entry.name)):
            found.append(int(entry.name))
    return sorted(found)


def listening_socket_inodes(port: int) -> set[str]:
    """Inodes of the TCP sockets listening on `port` (IPv4 or IPv6)."""
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            rows = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) <= 9 or fields[3] != _LISTEN:
                continue
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def socket_inodes(pid: int) -> set[str]:
    """Inodes of the sockets process `pid` has open."""
    inodes: set[str] = set()
    try:
        descriptors = list((PROC / str(pid) / "fd").iterdir())
    except OSError:
        return inodes
    for descriptor in descriptors:
        try:
            target = str(descriptor.readlink())
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes
