"""Where replications run: in this process, a local process pool, or a Dask cluster.

Everything goes through :class:`concurrent.futures.Executor` (``submit`` and
``as_completed``), so one code path serves all three. Tasks carry the scenario,
the root seed and replication numbers; each replication's random streams are
derived from those alone, so results do not depend on where they ran.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

__all__ = ["InlineExecutor", "default_jobs", "make_executor"]


class InlineExecutor(Executor):
    """Runs each task at submit time in this process (``--jobs 1``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered to the caller through the future
            future.set_exception(exc)
        return future


def default_jobs() -> int:
    """Number of worker processes by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def make_executor(jobs: int | None = None) -> Executor:
    """An executor for *jobs* workers: inline for 1, else a process pool.

    The pool uses the ``forkserver`` start method on Linux (safe in programs with
    threads, such as Jupyter kernels) and ``spawn`` elsewhere.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 1:
        return InlineExecutor()
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        # The server imports the engine once; every worker forks with it loaded.
        context.set_forkserver_preload(["ccsim.engine", "ccsim.experiments.runner"])
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)
