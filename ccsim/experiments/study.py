"""Run the points of a study through one executor, durably and resumably.

:func:`run_points` splits the points' replications into tasks, keeps a bounded
number of them in flight on any :class:`concurrent.futures.Executor`, and as
each point finishes writes it to a :class:`~ccsim.experiments.store.PointStore`:

* a point whose simulation raises is recorded as failed (message and
  traceback) and the others go on;
* a task lost to the infrastructure (a worker killed, a connection dropped)
  fails its point for this run only: nothing is stored, so it runs again next
  time; a process pool that broke stops the study with a :class:`SimulationError`;
* on Ctrl-C (``KeyboardInterrupt``) nothing more is submitted, pending tasks are
  cancelled and the exception propagates; finished points stay in the store;
* with a :class:`~ccsim.experiments.precision.PrecisionRule`, a point that has
  all its replications is judged and given more until its KPIs are precise
  enough.

:func:`run_study` adds the executor's life cycle and the store around it.
"""

from __future__ import annotations

import math
import platform
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    CancelledError,
    Executor,
    Future,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ccsim._version import __version__
from ccsim.engine import ReplicationResult
from ccsim.errors import SimulationError
from ccsim.experiments.executors import executor_workers, make_executor, stop_executor
from ccsim.experiments.output import json_ready
from ccsim.experiments.points import (
    KPI_COLUMNS,
    ChunkOutcome,
    Point,
    PointResult,
    kpi_frame,
    run_point_chunk,
)
from ccsim.experiments.precision import PrecisionRule
from ccsim.experiments.runner import SERIAL_BELOW, expected_contacts
from ccsim.experiments.software import software_versions
from ccsim.experiments.store import PointStore

__all__ = ["StudyProgress", "open_executor", "run_points", "run_study"]


@dataclass(frozen=True, slots=True)
class StudyProgress:
    """Where a study stands: replications and points done out of those planned."""

    replications_done: int
    replications_total: int
    points_done: int
    points_total: int
    points_failed: int


def open_executor(
    jobs: int | None, executor: Executor | None, points: Sequence[Point], replications: int
) -> tuple[Executor, bool]:
    """The executor to use and whether the caller owns it (must stop it).

    ``jobs=None`` means one process per CPU, except that a study expected to
    simulate fewer than 300,000 contacts in all stays in this process.
    """
    if executor is not None:
        return executor, False
    if jobs is None and points:
        total = sum(expected_contacts(p.scenario) for p in points) * replications
        if total < SERIAL_BELOW:
            jobs = 1
    return make_executor(jobs), True


@dataclass(slots=True)
class _State:
    point: Point
    target: int
    runs: dict[int, ReplicationResult] = field(default_factory=dict)
    batches: list[int] = field(default_factory=list)
    failed: bool = False
    precision: dict[str, Any] | None = None


def _chunks(start: int, stop: int, size: int) -> list[list[int]]:
    return [list(range(i, min(i + size, stop))) for i in range(start, stop, size)]


def run_points(
    points: Sequence[Point],
    seed: int,
    replications: int,
    *,
    executor: Executor,
    rule: PrecisionRule | None = None,
    store: PointStore | None = None,
    detail: bool = False,
    retry_failed: bool = False,
    on_point: Callable[[Point, PointResult, list[ReplicationResult]], None] | None = None,
    progress: Callable[[StudyProgress], None] | None = None,
) -> dict[str, PointResult]:
    """Simulate every point over replications ``0 .. replications-1`` of *seed*.

    Parameters
    ----------
    points
        The points; their keys must be unique.
    seed, replications
        Root seed and replications of every point (with *rule*: the starting
        number; the rule adds more per point).
    executor
        Where tasks run; not shut down here.
    rule
        Precision to reach per point, or None for a fixed number.
    store
        Where finished points are written and read back; points already there
        are not run again (failed ones only with *retry_failed*).
    detail
        Keep per-interval tables (and the contacts of replication 0) in the runs
        passed to *on_point*; otherwise only KPIs travel back from the workers.
    on_point
        Called as ``on_point(point, result, runs)`` when a point finishes, before
        it is written to the store.
    progress
        Called with a :class:`StudyProgress` as replications arrive.

    Returns
    -------
    dict
        :class:`PointResult` by key, in the order of *points*.
    """
    keys = [p.key for p in points]
    if len(set(keys)) != len(keys):
        raise ValueError("points must have unique keys")
    results: dict[str, PointResult] = {}
    states: list[_State] = []
    for point in points:
        record = store.read(point.key) if store is not None else None
        if record is not None and (record["status"] == "ok" or not retry_failed):
            results[point.key] = PointResult.from_record(record)
        else:
            states.append(_State(point, replications, batches=[replications]))
    workers = executor_workers(executor)
    planned = len(states) * replications
    size = max(1, min(replications, math.ceil(planned / (4 * workers)))) if planned else 1
    run = _Run(seed, executor, rule, store, detail, on_point, progress, results, size, workers)
    run.report_done = sum(r.replications for r in results.values())
    run.report_total = run.report_done + planned
    run.points_total = len(points)
    for st in states:
        run.queue.extend((st, chunk) for chunk in _chunks(0, st.target, size))
    run.go()
    return {key: results[key] for key in keys if key in results}


@dataclass(slots=True)
class _Run:
    seed: int
    executor: Executor
    rule: PrecisionRule | None
    store: PointStore | None
    detail: bool
    on_point: Callable[[Point, PointResult, list[ReplicationResult]], None] | None
    progress: Callable[[StudyProgress], None] | None
    results: dict[str, PointResult]
    size: int
    workers: int
    queue: deque[tuple[_State, list[int]]] = field(default_factory=deque)
    report_done: int = 0
    report_total: int = 0
    points_total: int = 0

    def go(self) -> None:
        window = max(2, 2 * self.workers)
        in_flight: dict[Future[ChunkOutcome], tuple[_State, list[int]]] = {}
        self._report()
        try:
            while self.queue or in_flight:
                while self.queue and len(in_flight) < window:
                    st, chunk = self.queue.popleft()
                    if st.failed:
                        continue
                    keep = [self.detail and r == 0 for r in chunk]
                    future = self.executor.submit(
                        run_point_chunk, st.point.scenario, self.seed, chunk, keep, self.detail
                    )
                    in_flight[future] = (st, chunk)
                if not in_flight:
                    break
                done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for future in done:
                    st, chunk = in_flight.pop(future)
                    self._collect(st, chunk, future)
        except BaseException:
            for future in in_flight:
                future.cancel()
            raise

    def _report(self) -> None:
        if self.progress is not None:
            failed = sum(not r.ok for r in self.results.values())
            self.progress(
                StudyProgress(
                    self.report_done,
                    self.report_total,
                    len(self.results),
                    self.points_total,
                    failed,
                )
            )

    def _collect(self, st: _State, chunk: list[int], future: Future[ChunkOutcome]) -> None:
        if future.cancelled():
            exc: BaseException | None = CancelledError("the task was cancelled")
        else:
            exc = future.exception()
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise exc
        if isinstance(exc, BrokenExecutor):
            raise SimulationError(
                f"the worker processes stopped ({type(exc).__name__}: {exc}); "
                "finished points are kept, run again to resume"
            ) from exc
        if st.failed:
            return
        if exc is not None:
            tb = "".join(traceback.format_exception(exc))
            note = " (not saved: the point runs again when the study is repeated)"
            self._fail(st, f"{type(exc).__name__}: {exc}{note}", tb, save=False)
            return
        outcome = future.result()
        if outcome.error is not None:
            self._fail(st, outcome.error, outcome.traceback, save=True)
            return
        for r in outcome.runs:
            st.runs[r.replication] = r
        self.report_done += len(outcome.runs)
        if len(st.runs) >= st.target:
            self._batch_done(st)
        self._report()

    def _batch_done(self, st: _State) -> None:
        if self.rule is not None:
            try:
                status = self.rule.status(kpi_frame(st.runs.values()))
            except ValueError as exc:
                raise SimulationError(str(exc)) from None
            st.precision = self.rule.describe(status)
            more = self.rule.next_total(status, step=self.workers)
            if more is not None:
                new = _chunks(st.target, more, self.size)
                self.queue.extendleft((st, chunk) for chunk in reversed(new))
                self.report_total += more - st.target
                st.batches.append(more)
                st.target = more
                return
        self._finish(st)

    def _provenance(self, st: _State) -> dict[str, Any]:
        runs = st.runs.values()
        prov: dict[str, Any] = {
            "ccsim_version": __version__,
            "seed": self.seed,
            "replications": len(st.runs),
            "batches": st.batches,
            "contacts_simulated": sum(r.n_contacts for r in runs),
            "compute_seconds": round(sum(r.wall_seconds for r in runs), 3),
            "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        if st.precision is not None:
            prov["precision"] = st.precision
        return prov

    def _finish(self, st: _State) -> None:
        runs = [st.runs[r] for r in sorted(st.runs)]
        p = st.point
        result = PointResult(
            p.key, p.label, p.factors, "ok", kpi_frame(runs), provenance=self._provenance(st)
        )
        if self.on_point is not None:
            self.on_point(p, result, runs)
        self._store(st, result)

    def _fail(self, st: _State, error: str, tb: str | None, *, save: bool) -> None:
        st.failed = True
        p = st.point
        prov = self._provenance(st)
        result = PointResult(
            p.key, p.label, p.factors, "failed", pd.DataFrame(columns=KPI_COLUMNS), error, tb
        )
        result.provenance = prov
        self.report_total -= st.target - len(st.runs)
        self.report_done -= len(st.runs)
        if save:
            self._store(st, result)
        else:
            self.results[p.key] = result
        self._report()

    def _store(self, st: _State, result: PointResult) -> None:
        # Fresh and resumed points take the same path (through the record), so a
        # resumed study's tables equal an uninterrupted one's.
        record = json_ready(result.to_record(st.point, self.seed))
        if self.store is not None:
            self.store.write(record)
        stored = PointResult.from_record(record)
        stored.saved = self.store is not None
        self.results[st.point.key] = stored


def run_study(
    points: Sequence[Point],
    seed: int,
    replications: int,
    *,
    jobs: int | None,
    executor: Executor | None,
    rule: PrecisionRule | None,
    out: Path | None,
    identity: dict[str, Any],
    info: dict[str, Any] | None = None,
    detail: bool = False,
    retry_failed: bool = False,
    on_point: Callable[[Point, PointResult, list[ReplicationResult]], None] | None = None,
    progress: Callable[[StudyProgress], None] | None = None,
) -> tuple[dict[str, PointResult], dict[str, Any]]:
    """Open the store (resuming), run the missing points, and return results and provenance.

    The executor is made from *jobs* unless given; one made here is stopped at the
    end, and aborted (workers terminated) when the study is interrupted or fails.
    """
    store = PointStore.open(out, identity, info) if out is not None else None
    resumed = 0
    for point in points if store is not None else ():
        record = store.read(point.key)  # type: ignore[union-attr]
        resumed += record is not None and (record["status"] == "ok" or not retry_failed)
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    t0 = time.perf_counter()
    pool, own = open_executor(jobs, executor, points, replications)
    try:
        results = run_points(
            points,
            seed,
            replications,
            executor=pool,
            rule=rule,
            store=store,
            detail=detail,
            retry_failed=retry_failed,
            on_point=on_point,
            progress=progress,
        )
    except BaseException:
        if own:
            stop_executor(pool, abort=True)
        raise
    if own:
        stop_executor(pool)
    provenance = {
        "ccsim_version": __version__,
        "seed": seed,
        "replications": replications,
        "points": len(points),
        "points_failed": sum(not r.ok for r in results.values()),
        "points_resumed": resumed,
        "started_utc": started,
        "wall_seconds": round(time.perf_counter() - t0, 3),
        "workers": executor_workers(pool),
        **software_versions(),
        "platform": platform.platform(),
    }
    if rule is not None:
        reps = [r.replications for r in results.values() if r.ok]
        provenance["precision"] = {
            "target": rule.target,
            "metrics": list(rule.metrics),
            "max_replications": rule.max_replications,
            "replications_min": min(reps, default=0),
            "replications_max": max(reps, default=0),
            "met": all(r.provenance.get("precision", {}).get("met") for r in results.values()),
        }
    return results, provenance
