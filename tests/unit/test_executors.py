"""Stopping a process pool on Ctrl-C leaves nothing for the interpreter's exit to trip on."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor, process

from ccsim.experiments.executors import make_executor, stop_executor


def test_abort_waits_for_the_pool_to_close_its_wakeup_pipe() -> None:
    """After an abort the pool's manager thread is done and its wake-up pipe closed.

    ``concurrent.futures`` writes to that pipe at interpreter exit. On Python < 3.12 it
    can do so while the manager thread is closing it, which prints a "Bad file
    descriptor" traceback after a clean Ctrl-C (CPython gh-125451); a closed pipe is
    skipped instead.
    """
    pool = make_executor(2)
    assert isinstance(pool, ProcessPoolExecutor)
    running = pool.submit(time.sleep, 60)
    deadline = time.monotonic() + 30
    while not running.running() and time.monotonic() < deadline:
        time.sleep(0.01)
    manager = pool._executor_manager_thread
    assert manager is not None and manager.is_alive()
    t0 = time.monotonic()
    stop_executor(pool, abort=True)
    assert time.monotonic() - t0 < 10  # the sleeping worker was terminated, not awaited
    assert not manager.is_alive()
    wakeup = process._threads_wakeups.get(manager)
    assert wakeup is None or wakeup._closed
