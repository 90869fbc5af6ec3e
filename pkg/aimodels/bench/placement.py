"""Where a timed client and the database sessions it waits for run: on cores of their own.

A read of a tenth of a millisecond takes about twice as long when the client and its
backend sit on different cores than on one (each wakeup crosses cores), and the scheduler
places them either way and moves them during a run. The same statement then reads about
60 or about 130 us, and the ratio of two sides placed differently measures their placement,
not their queries. So the hot reads run with the client on one core and every timed
backend on another, as an API server and its database run apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

CALLING_THREAD = 0  # sched_setaffinity's pid 0: the thread that makes the call


def _is_local_postgres(pid: int) -> bool:
    """A backend of a cluster on this machine: the pid is a local `postgres` process, not a
    number from another host or container that happens to name some other process here."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
    except OSError:
        return False


@contextmanager
def _pinned(pid: int, cores: set[int]) -> Iterator[None]:
    saved = os.sched_getaffinity(pid)
    os.sched_setaffinity(pid, cores)
    try:
        yield
    finally:
        with suppress(ProcessLookupError):  # a backend that ended meanwhile: nothing to undo
            os.sched_setaffinity(pid, saved)


@contextmanager
def client_and_backends_apart(backend_pids: Sequence[int]) -> Iterator[str]:
    """For the block, the calling thread runs on one core and `backend_pids` on another;
    yields how they ran, for the report. They are left where the scheduler puts them, and
    the text says why, when fewer than two cores are available or a backend is not a local
    Postgres process this user may pin."""
    cores = sorted(os.sched_getaffinity(CALLING_THREAD))
    if len(cores) < 2:
        yield "client and database sessions placed by the scheduler (one core available)"
        return
    if not all(_is_local_postgres(pid) for pid in backend_pids):
        yield "client and database sessions placed by the scheduler (a remote database)"
        return
    client_core, backend_core = cores[0], cores[1]
    with ExitStack() as pins:
        try:
            pins.enter_context(_pinned(CALLING_THREAD, {client_core}))
            for pid in backend_pids:
                pins.enter_context(_pinned(pid, {backend_core}))
        except OSError as error:
            pins.close()
            yield (
                "client and database sessions placed by the scheduler"
                f" (pinning refused: {type(error).__name__})"
            )
            return
        yield f"client on core {client_core}, every timed database session on core {backend_core}"
