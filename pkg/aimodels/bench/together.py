"""Run several workers released at the same instant, and time them as one batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence


def run_together(workers: Sequence[Callable[[], None]]) -> float:
    """Start every worker on its own thread, release them together, wait for all.

    Returns the wall seconds from the release to the last one finishing; the first error
    a worker raised is raised again here, on the caller's thread.
    """
    start = threading.Barrier(len(workers) + 1)
    errors: list[BaseException] = []

    def run(worker: Callable[[], None]) -> None:
        start.wait()
        try:
            worker()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return elapsed
