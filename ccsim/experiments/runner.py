"""Simulate a scenario over independent replications, in parallel when asked."""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, as_completed
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ccsim._version import __version__
from ccsim.engine import ReplicationResult, run_replication
from ccsim.experiments.executors import executor_workers, make_executor, stop_executor
from ccsim.experiments.precision import PrecisionRule
from ccsim.experiments.result import SimulationResult
from ccsim.experiments.software import software_versions
from ccsim.scenario.loader import load_scenario, scenario_hash
from ccsim.scenario.schema import Scenario

__all__ = ["Progress", "expected_contacts", "run_chunk", "simulate"]

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called as replications finish."""

KeepContacts = Literal["all", "first", "none"]


def run_chunk(
    scenario: Scenario, seed: int, replications: Sequence[int], keep_contacts: Sequence[bool]
) -> list[ReplicationResult]:
    """Run some replications of *scenario* (the unit of work sent to a worker)."""
    return [
        run_replication(scenario, seed, r, keep_contacts=keep)
        for r, keep in zip(replications, keep_contacts, strict=True)
    ]


#: Below this many expected contacts in total, a run stays in this process: starting
#: worker processes (about a second) would cost more than it saves.
SERIAL_BELOW = 300_000


def expected_contacts(scenario: Scenario) -> float:
    """Expected number of arrivals in one replication (from the configured rates)."""
    cal = scenario.calendar
    hours = cal.interval_lengths() / 3600.0
    total = 0.0
    for ch in scenario.channels.values():
        factors = [ch.arrivals.day_factor(d) for d in range(cal.days)]
        total += float((ch.arrivals.base_rates(cal) * hours).sum()) * sum(factors)
    return total


def _chunks(n: int, workers: int) -> list[list[int]]:
    size = max(1, math.ceil(n / (4 * max(workers, 1))))
    return [list(range(i, min(i + size, n))) for i in range(0, n, size)]


def simulate(
    scenario: Scenario | str | Path,
    replications: int | None = None,
    seed: int | None = None,
    *,
    jobs: int | None = 1,
    executor: Executor | None = None,
    contacts: KeepContacts = "first",
    progress: Progress | None = None,
    precision: float | None = None,
    max_replications: int | None = None,
    precision_metrics: Iterable[str] | None = None,
) -> SimulationResult:
    """Simulate *scenario* over independent replications.

    Parameters
    ----------
    scenario
        A :class:`~ccsim.scenario.Scenario` or the path of a scenario file.
    replications, seed
        Override the scenario's ``replications`` and ``seed``. With *precision*,
        *replications* is the number to start with (at least 10; default 10).
    jobs
        Worker processes (1: run in this process). None: one per CPU, except that
        small runs (fewer than 300,000 expected contacts in all) stay in this
        process. Ignored when *executor* is given.
    executor
        Any :class:`concurrent.futures.Executor`, e.g. a process pool of your own
        or :func:`~ccsim.experiments.executors.dask_executor`.
    contacts
        Keep the contact records of ``"all"`` replications, the ``"first"`` one, or
        ``"none"``.
    progress
        Called as ``progress(done, total)`` when replications finish (with
        *precision*, *total* grows as batches are added).
    precision
        Add replications in batches until the 95% CI half-width of the
        *precision_metrics* is at most this: absolute for shares (0.01 = ±1
        percentage point), relative to the mean for other KPIs (0.01 = ±1%). See
        :mod:`ccsim.experiments.precision`.
    max_replications
        With *precision*: never run more than this many (default 200).
    precision_metrics
        With *precision*: ``"scope.name.metric"`` patterns (``*`` wildcards);
        default every channel's ``service_level`` and ``abandon_rate``.

    Returns
    -------
    SimulationResult
        Bit-identical for the same scenario, seed and number of replications,
        whatever *jobs* or executor. With *precision*, ``provenance["precision"]``
        says how many replications it took and the half-widths reached.

    Examples
    --------
    >>> res = simulate("scenarios/voice_chat_blended.yaml", replications=5)  # doctest: +SKIP
    >>> res.summary()  # doctest: +SKIP
    >>> res = simulate("scenarios/voice_chat_blended.yaml", precision=0.01)  # doctest: +SKIP
    >>> res.provenance["precision"]["replications"]  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    rule = None
    if precision is not None:
        rule = PrecisionRule.make(precision, precision_metrics, max_replications, replications)
        n = rule.min_replications
    else:
        n = scenario.replications if replications is None else replications
    if n < 1:
        raise ValueError("replications must be at least 1")
    root = scenario.seed if seed is None else seed
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    own = executor is None
    if jobs is None and expected_contacts(scenario) * n < SERIAL_BELOW:
        jobs = 1
    pool = make_executor(jobs) if executor is None else executor
    workers = executor_workers(pool)
    runs: list[ReplicationResult] = []
    stopping: dict[str, object] | None = None
    batches = [n]
    try:
        total = n
        while True:
            todo = list(range(len(runs), total))
            _run_batch(scenario, root, todo, contacts, pool, workers, runs, total, progress)
            if rule is None:
                break
            status = rule.status(SimulationResult(scenario, root, runs).kpis())
            stopping = rule.describe(status)
            more = rule.next_total(status, step=workers)
            if more is None:
                break
            total = more
            batches.append(more)
    except BaseException:
        if own:
            stop_executor(pool, abort=True)
            own = False
        raise
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    runs.sort(key=lambda run: run.replication)
    provenance = {
        "ccsim_version": __version__,
        "scenario": scenario.name,
        "scenario_sha256": scenario_hash(scenario),
        "seed": root,
        "replications": len(runs),
        "started_utc": started.isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - t0, 3),
        "contacts_simulated": sum(run.n_contacts for run in runs),
        "event_loop_seconds": round(sum(run.sim_seconds for run in runs), 3),
        "calendar": {
            "days": scenario.calendar.days,
            "open": scenario.calendar.open,
            "close": scenario.calendar.close,
            "interval": scenario.calendar.interval,
            "steady": scenario.calendar.steady,
            "warmup": scenario.calendar.warmup,
            "start_weekday": scenario.calendar.start_weekday,
        },
        **software_versions(),
        "platform": platform.platform(),
    }
    if stopping is not None:
        provenance["precision"] = {**stopping, "batches": batches}
    return SimulationResult(scenario, root, runs, provenance)


def _run_batch(
    scenario: Scenario,
    root: int,
    todo: list[int],
    contacts: KeepContacts,
    pool: Executor,
    workers: int,
    runs: list[ReplicationResult],
    total: int,
    progress: Progress | None,
) -> None:
    """Run replications *todo* on *pool*, appending to *runs* as chunks finish."""
    keep = {r: contacts == "all" or (contacts == "first" and r == 0) for r in todo}
    futures = [
        pool.submit(run_chunk, scenario, root, chunk, [keep[r] for r in chunk])
        for chunk in _chunks_of(todo, workers)
    ]
    try:
        for future in as_completed(futures):
            runs.extend(future.result())
            if progress is not None:
                progress(len(runs), total)
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def _chunks_of(todo: list[int], workers: int) -> list[list[int]]:
    return [[todo[i] for i in chunk] for chunk in _chunks(len(todo), workers)]
