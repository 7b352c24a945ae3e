"""Where replications run: in this process, a local process pool, or a Dask cluster.

Everything goes through :class:`concurrent.futures.Executor` (``submit`` and
``as_completed``), so one code path serves all three. Tasks carry the scenario,
the root seed and replication numbers; each replication's random streams are
derived from those alone, so results do not depend on where they ran.

The Dask executor lives here, in the experiments layer, because the import
contracts allow it (only the layers below ``ccsim.experiments`` are forbidden to
import ``dask``/``distributed``) and because :func:`ccsim.simulate`,
:func:`ccsim.compare` and :func:`ccsim.sweep` users need it from Python as much
as the command line does. ``distributed`` is imported only inside
:func:`dask_executor`, so ``import ccsim`` never loads it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from ccsim._version import __version__
from ccsim.errors import SimulationError

__all__ = [
    "ClusterExecutor",
    "InlineExecutor",
    "dask_executor",
    "default_jobs",
    "executor_workers",
    "make_executor",
    "stop_executor",
]

#: Seconds to wait for a Dask scheduler to answer (and for its first worker).
SCHEDULER_TIMEOUT = 5.0

#: Seconds an aborted process pool gets to notice its workers are gone.
STOP_TIMEOUT_S = 10.0


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


def executor_workers(executor: Executor) -> int:
    """How many tasks *executor* runs at once (1 when it does not say)."""
    return max(1, int(getattr(executor, "_max_workers", 1) or 1))


def stop_executor(executor: Executor, *, abort: bool = False) -> None:
    """Shut *executor* down; with *abort*, cancel queued work and stop running work now.

    For a process pool, *abort* terminates the worker processes (their running
    tasks are lost: this is for Ctrl-C). Other executors cancel what they can.
    """
    if not abort:
        executor.shutdown(wait=True)
        return
    processes = list((getattr(executor, "_processes", None) or {}).values())
    manager = getattr(executor, "_executor_manager_thread", None)
    try:
        executor.shutdown(wait=False, cancel_futures=True)
    except TypeError:  # an executor without cancel_futures
        executor.shutdown(wait=False)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    if manager is not None:
        # Let the pool's manager thread see its workers gone and close its wake-up pipe
        # before the interpreter exits: on Python < 3.12 the exit hook can otherwise
        # write to that pipe while the thread closes it, and print a traceback
        # ("Bad file descriptor", CPython gh-125451) after a clean Ctrl-C.
        manager.join(timeout=STOP_TIMEOUT_S)


class ClusterExecutor(Executor):
    """A Dask cluster as a :class:`concurrent.futures.Executor` (see :func:`dask_executor`).

    Each ``submit`` is a ``client.submit(..., pure=False)`` whose outcome is relayed
    to a :class:`concurrent.futures.Future`. (Dask's own ``Client.get_executor()``
    does the same, but leaves the future pending forever when a result cannot be
    unpickled in this process, e.g. when a worker runs other code; here that
    error reaches the caller.)

    Attributes
    ----------
    client
        The ``distributed.Client``; closed by :meth:`shutdown`.
    address
        The scheduler's address.
    """

    def __init__(self, client: Any, address: str) -> None:
        self.client = client
        self.address = address
        self._pending: set[Any] = set()
        self._lock = threading.Lock()
        self._closed = False
        info = client.scheduler_info()
        workers = info.get("workers", {}) if isinstance(info, dict) else {}
        self._max_workers = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[Any] = Future()
        task = self.client.submit(fn, *args, pure=False, **kwargs)
        with self._lock:
            self._pending.add(task)  # Dask forgets a task nobody holds

        def relay(done: Any) -> None:  # runs in a Dask thread when the task ends
            with self._lock:
                self._pending.discard(done)
            if future.done():
                return
            try:
                if done.status == "cancelled":
                    if future.cancel():
                        future.set_running_or_notify_cancel()
                    return
                future.set_result(done.result())
            except BaseException as exc:
                if not future.done():
                    future.set_exception(exc)

        def cancel(f: Future[Any]) -> None:
            if f.cancelled():
                task.cancel()

        future.add_done_callback(cancel)
        task.add_done_callback(relay)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        with self._lock:
            pending = list(self._pending)
        try:
            if cancel_futures and pending:
                self.client.cancel(pending)
            elif wait and pending:
                self.client.gather(pending, errors="skip")
        finally:
            self.client.close()


def dask_executor(address: str, *, timeout: float = SCHEDULER_TIMEOUT) -> ClusterExecutor:
    """Connect to a running Dask scheduler and return it as an executor.

    Parameters
    ----------
    address
        The scheduler, e.g. ``"tcp://10.0.0.5:8786"`` (what ``dask scheduler``
        prints).
    timeout
        Seconds to wait for the scheduler to answer and for at least one worker
        [s].

    Returns
    -------
    ClusterExecutor
        Use it as ``executor=`` of :func:`ccsim.simulate`, :func:`ccsim.compare` or
        :func:`ccsim.sweep`; ``shutdown()`` (or a ``with`` block) closes the
        connection and leaves the cluster running.

    Raises
    ------
    SimulationError
        When ``distributed`` is not installed, the scheduler does not answer within
        *timeout*, it has no worker, or the scheduler or a worker cannot import
        this version of ccsim (or runs other versions of the packages Dask checks).
    """
    try:
        from distributed import Client
    except ImportError:
        raise SimulationError(
            "running on a Dask cluster needs dask.distributed: pip install 'ccsim[distributed]'"
        ) from None
    _probe(address, timeout)
    try:
        asyncio.run(_handshake(address, timeout))
        client = Client(address, timeout=timeout, set_as_default=False)
    except OSError as exc:
        raise SimulationError(
            f"cannot connect to the Dask scheduler at {address} within {timeout:g} s "
            f"({exc}). Is `dask scheduler` running there, and is the address the one it "
            "printed (tcp://host:port)?"
        ) from None
    except Exception as exc:
        raise SimulationError(
            f"something answers at {address}, but not as a Dask scheduler does "
            f"({type(exc).__name__}); check the address and port (`dask scheduler` prints them)"
        ) from None
    try:
        _check_cluster(client, address, timeout)
        return ClusterExecutor(client, address)
    except BaseException:
        client.close()
        raise


def _probe(address: str, timeout: float) -> None:
    """Fail at once when nothing listens at a ``tcp://host:port`` address.

    Dask retries a refused connection until its timeout; a plain TCP connect
    tells a refused one (no scheduler there) immediately.
    """
    scheme, sep, rest = address.partition("://")
    if sep and scheme != "tcp":
        return  # tls://, ucx://, ...: leave it to Dask
    host, _, port = (rest if sep else address).rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError | socket.timeout):
            reason = f"no answer within {timeout:g} s"
        raise SimulationError(
            f"cannot connect to the Dask scheduler at {address} ({reason}). Is `dask scheduler` "
            "running there, and is the address the one it printed (tcp://host:port)?"
        ) from None


async def _handshake(address: str, timeout: float) -> None:
    """Open and close one Dask connection: fails cleanly when no Dask scheduler answers.

    (A ``Client`` that fails half-way prints a traceback when garbage-collected.)
    """
    from distributed.comm import connect

    comm = await connect(address, timeout=timeout)
    await comm.close()


def _check_cluster(client: Any, address: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except Exception:
        raise SimulationError(
            f"the Dask scheduler at {address} has no worker (waited {timeout:g} s); "
            f"start some with `dask worker {address}`"
        ) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dask warns about optional packages; errors matter
        try:
            versions = client.get_versions(check=True, packages=["ccsim"])
        except ValueError as exc:
            raise SimulationError(
                f"the Dask cluster at {address} does not match this environment; install the "
                f"same versions (and ccsim {__version__}) on the scheduler and every worker:\n"
                f"{exc}"
            ) from None
    places = {"scheduler": versions.get("scheduler")}
    places.update({f"worker {w}": v for w, v in (versions.get("workers") or {}).items()})
    for where, info in places.items():
        found = ((info or {}).get("packages") or {}).get("ccsim")
        if found is None:
            raise SimulationError(
                f"the Dask {where} at {address} cannot import ccsim; install ccsim "
                f"{__version__} in its environment (pip install ccsim=={__version__})"
            )
        if found != __version__:
            raise SimulationError(
                f"the Dask {where} at {address} has ccsim {found}, this is {__version__}; "
                "results would not be comparable, install the same version"
            )
