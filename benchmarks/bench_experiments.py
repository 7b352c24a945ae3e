"""Sweeps at scale: speed-up of the process pool, and per-task overheads of the executors.

Run:  python benchmarks/bench_experiments.py [--quick] [--no-dask]

1. A sweep of 40 points x 10 replications of one day of the bundled blended
   centre (``scenarios/voice_chat_blended.yaml`` with ``horizon.days=1``; the
   points vary the specialists' shrinkage): wall time with ``jobs=1`` and
   ``jobs=2`` (target: a speed-up of at least 1.7 on an otherwise idle
   two-core machine), and on a local Dask cluster of two single-threaded worker
   processes. The three tables must be identical. Also printed: the
   *concurrency*, the summed wall time of the replications inside the workers
   divided by the sweep's wall time: close to 2 when both workers are kept busy,
   whatever else loads the machine (on a loaded machine each replication is
   slower, so the speed-up is lower, but the concurrency shows what ccsim's
   scheduling of tasks achieves).
2. Per-task overhead: the wall time per task of 2,000 no-op tasks sent through
   ``submit`` + ``as_completed`` to a process pool of two workers, and to the
   local Dask cluster.

Numbers are printed, not asserted (timing belongs here, not in the tests).
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from concurrent.futures import Executor, as_completed

import pandas as pd

from ccsim.experiments import sweep
from ccsim.experiments.executors import ClusterExecutor, make_executor
from ccsim.scenario import load_scenario

ONE_DAY = {
    "horizon.days": 1,
    "channels.voice.arrivals.day_factors": [1.0],
    "channels.chat.arrivals.day_factors": [1.0],
}


def noop(x: int) -> int:
    return x


def per_task_seconds(executor: Executor, tasks: int) -> float:
    """Wall time per task of *tasks* no-op tasks (after one warm-up round)."""
    for f in as_completed([executor.submit(noop, i) for i in range(50)]):
        f.result()
    t0 = time.perf_counter()
    for f in as_completed([executor.submit(noop, i) for i in range(tasks)]):
        f.result()
    return (time.perf_counter() - t0) / tasks


def timed_sweep(points: int, reps: int, **kwargs: object) -> tuple[float, pd.DataFrame, float]:
    base = load_scenario("scenarios/voice_chat_blended.yaml", ONE_DAY)
    grid = {"pools.specialists.shrinkage": [round(0.10 + 0.005 * i, 3) for i in range(points)]}
    t0 = time.perf_counter()
    res = sweep(base, grid, replications=reps, **kwargs)  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    compute = sum(r.provenance["compute_seconds"] for r in res.results.values())
    return wall, res.table(), compute


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 points x 4 replications")
    parser.add_argument("--no-dask", action="store_true", help="skip the local Dask cluster")
    args = parser.parse_args()
    points, reps = (8, 4) if args.quick else (40, 10)
    print(f"CPUs usable: {len(os.sched_getaffinity(0))}; load average: {os.getloadavg()}")

    print(f"\n1. sweep of {points} points x {reps} replications (one day, blended centre)")
    wall1, table1, compute1 = timed_sweep(points, reps, jobs=1)
    print(f"   jobs=1: {wall1:6.1f} s  (simulation {compute1:.1f} s, bookkeeping "
          f"{max(wall1 - compute1, 0):.1f} s)")  # fmt: skip
    t0 = time.perf_counter()
    with make_executor(2) as pool:  # the first pool of a process also starts the forkserver
        for f in as_completed([pool.submit(noop, i) for i in range(2)]):
            f.result()
        pool_start = time.perf_counter() - t0
        overhead_pool = per_task_seconds(pool, 2000)
    print(f"   (a first process pool takes {pool_start:.1f} s to start, once per Python process;"
          " not included below)")  # fmt: skip
    wall2, table2, compute2 = timed_sweep(points, reps, jobs=2)
    pd.testing.assert_frame_equal(table1, table2)
    print(f"   jobs=2: {wall2:6.1f} s  speed-up {wall1 / wall2:.2f}x (target >= 1.7x when idle); "
          f"concurrency {compute2 / wall2:.2f}, {compute2 / compute1:.2f}x the simulation "
          "time per replication of jobs=1")  # fmt: skip

    if args.no_dask:
        print(f"\n2. per-task overhead: process pool {1e3 * overhead_pool:.2f} ms")
        return
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)  # no chatter at shutdown
    t0 = time.perf_counter()

    with (
        tempfile.TemporaryDirectory() as scratch,
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            local_directory=scratch,
        ) as cluster,
    ):
        start = time.perf_counter() - t0
        executor = ClusterExecutor(Client(cluster), cluster.scheduler_address)  # as dask_executor
        wall_dask, table_dask, compute_dask = timed_sweep(points, reps, executor=executor)
        pd.testing.assert_frame_equal(table1, table_dask)
        overhead_dask = per_task_seconds(executor, 2000)
        executor.shutdown()  # closes the client
    print(f"   dask (LocalCluster, 2 processes x 1 thread, started in {start:.1f} s): "
          f"{wall_dask:6.1f} s  speed-up {wall1 / wall_dask:.2f}x; "
          f"concurrency {compute_dask / wall_dask:.2f}")  # fmt: skip
    print("   tables identical: jobs=1, jobs=2, dask")
    print("\n2. per-task overhead (2,000 no-op tasks, submit + as_completed)")
    print(f"   process pool (2 workers): {1e3 * overhead_pool:.2f} ms per task")
    print(f"   dask LocalCluster (2 workers): {1e3 * overhead_dask:.2f} ms per task")


if __name__ == "__main__":  # the process pool's workers import this module again
    main()
