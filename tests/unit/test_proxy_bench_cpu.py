"""The model access benchmark's CPU accounting: per kind of process, per call.

The note it prints (what the service adds in CPU per call, and what that costs 8 clients
in queueing) is read as the reason the latency target is missed: it must add up.
"""

from __future__ import annotations

import os
import time

from aimodels.bench.proxy_path import _cpu_note, _Side


def _busy_call(milliseconds: float) -> tuple[float, None]:
    """A call that spends CPU in this process, as a server answering it would."""
    until = time.process_time() + milliseconds / 1000
    while time.process_time() < until:
        pass
    return milliseconds, None


def test_cpu_is_counted_per_kind_of_process_and_per_call() -> None:
    me = os.getpid()
    side = _Side([lambda: _busy_call(20.0)], lambda: {"service": [me], "gone": [2**22 + 1]})
    side.round(per_client=5)
    # Five calls of 20 ms of CPU each, counted in clock ticks (10 ms) of this process.
    assert 15.0 <= side.cpu_ms_per_call("service") <= 40.0
    assert side.cpu_ms_per_call("gone") == 0.0  # a process that is not there counts nothing
    assert side.cpu_ms_per_call() == side.cpu_ms_per_call("service")


def test_the_note_adds_the_kinds_and_derives_the_queueing() -> None:
    me = os.getpid()
    proxied = _Side([lambda: _busy_call(20.0)], lambda: {"service": [me]})
    direct = _Side([lambda: (1.0, None)], lambda: {"provider": [2**22 + 1]})
    proxied.round(per_client=5)
    direct.round(per_client=5)
    note = _cpu_note("not streamed, 8 clients", proxied, direct)
    added = proxied.cpu_ms_per_call()
    assert note.startswith("not streamed, 8 clients: ")
    assert f"added {added:.2f} ms" in note
    assert f"{8 * added / (os.cpu_count() or 1):.1f} ms)" in note
