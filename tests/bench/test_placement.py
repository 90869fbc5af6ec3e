"""The hot reads' client runs on one core and the backends it times on another, and
everything is put back afterwards; a process that is not a local Postgres backend is never
pinned, and a refused pin leaves nothing pinned."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aimodels.bench import placement
from aimodels.bench.placement import client_and_backends_apart

CORES = sorted(os.sched_getaffinity(0))
needs_two_cores = pytest.mark.skipif(len(CORES) < 2, reason="one core: nothing to place apart")


def _sleeper(path: Path) -> Iterator[int]:
    process = subprocess.Popen([str(path), "60"])
    comm = Path(f"/proc/{process.pid}/comm")
    deadline = time.monotonic() + 5
    while comm.read_text().strip() != path.name and time.monotonic() < deadline:
        time.sleep(0.01)  # until the child has exec'd: before, it is still a copy of us
    try:
        yield process.pid
    finally:
        process.kill()
        process.wait()


def _sleep_binary() -> Path:
    sleep = shutil.which("sleep")
    assert sleep is not None
    return Path(sleep)


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[int]:
    """A local process named `postgres`, as a backend is (a copy of `sleep`)."""
    named = tmp_path / "postgres"
    shutil.copy(_sleep_binary(), named)
    yield from _sleeper(named)


@pytest.fixture
def other_process() -> Iterator[int]:
    yield from _sleeper(_sleep_binary())


@needs_two_cores
def test_the_client_and_the_backends_run_on_cores_of_their_own(backend: int) -> None:
    client_before, backend_before = os.sched_getaffinity(0), os.sched_getaffinity(backend)
    with client_and_backends_apart([backend]) as how:
        assert os.sched_getaffinity(0) == {CORES[0]}
        assert os.sched_getaffinity(backend) == {CORES[1]}
        assert how == f"client on core {CORES[0]}, every timed database session on core {CORES[1]}"
    assert os.sched_getaffinity(0) == client_before
    assert os.sched_getaffinity(backend) == backend_before


@needs_two_cores
def test_a_process_that_is_not_a_local_backend_is_never_pinned(
    backend: int, other_process: int
) -> None:
    before = os.sched_getaffinity(other_process), os.sched_getaffinity(0)
    with client_and_backends_apart([backend, other_process]) as how:
        assert (os.sched_getaffinity(other_process), os.sched_getaffinity(0)) == before
        assert os.sched_getaffinity(backend) == set(CORES)
    assert how.endswith("placed by the scheduler (a remote database)")


@needs_two_cores
def test_a_refused_pin_leaves_nothing_pinned(backend: int, monkeypatch: pytest.MonkeyPatch) -> None:
    client_before = os.sched_getaffinity(0)
    real_setaffinity = os.sched_setaffinity

    def refuse_backends(pid: int, cores: set[int]) -> None:
        if pid == backend:
            raise PermissionError("not allowed")
        real_setaffinity(pid, cores)

    monkeypatch.setattr(placement.os, "sched_setaffinity", refuse_backends)
    with client_and_backends_apart([backend]) as how:
        assert os.sched_getaffinity(0) == client_before
    assert how.endswith("(pinning refused: PermissionError)")
