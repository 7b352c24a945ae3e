"""A real Dask cluster on this machine: results identical to the process pool.

Starts ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (free
ports, scratch folders in tmp) and runs a sweep and a comparison through them,
from Python and from the command line.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from ccsim.errors import SimulationError
from ccsim.experiments import compare, sweep
from ccsim.experiments.executors import _check_cluster, dask_executor
from ccsim.scenario import scenario_from_dict, with_overrides
from tests.conftest import tiny

pytest.importorskip("distributed")

GRID = {"pools.phone.agents": [2, 3, 4], "channels.voice.patience.mean": ["1min", "3min"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> str:
    """Address of a scheduler with two single-threaded workers (stopped after the module)."""
    tmp = tmp_path_factory.mktemp("dask")
    dask = str(Path(sys.executable).with_name("dask"))
    env = {**os.environ, "DASK_TEMPORARY_DIRECTORY": str(tmp)}
    address = f"tcp://127.0.0.1:{_free_port()}"
    procs = []
    try:
        procs.append(
            subprocess.Popen(
                [dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                 "--no-dashboard"],
                cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
        for i in range(2):
            procs.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                     "--local-directory", str(tmp / f"worker-{i}"), "--death-timeout", "60"],
                    cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
        from distributed import Client

        deadline = time.monotonic() + 90
        while True:
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture(scope="module")
def small():
    return scenario_from_dict(tiny(replications=3))


@pytest.mark.distributed
def test_sweep_on_a_dask_cluster_equals_the_process_pool(scheduler, small, tmp_path):
    with dask_executor(scheduler) as executor:
        assert executor._max_workers == 2
        on_dask = sweep(small, GRID, executor=executor, out=tmp_path / "dask")
        more = with_overrides(small, {"pools.phone.agents": 4})
        compared = compare([small, more], replications=4, executor=executor)
    pool = sweep(small, GRID, jobs=2, out=tmp_path / "pool")
    pd.testing.assert_frame_equal(on_dask.table(), pool.table())
    pd.testing.assert_frame_equal(on_dask.kpis(), pool.kpis())
    for name in ("sweep.parquet", "frontier.parquet", "replications.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "dask" / name), pd.read_parquet(tmp_path / "pool" / name)
        )
    local = compare([small, more], replications=4, jobs=1)
    pd.testing.assert_frame_equal(compared.table(), local.table())


@pytest.mark.distributed
def test_the_command_line_runs_on_the_cluster_from_the_environment(scheduler, tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny()))
    from ccsim.cli import cli

    args = ["sweep", str(scenario), "--grid", "pools.phone.agents=2:4:1", "-n", "3", "-q"]
    on_dask = CliRunner().invoke(
        cli, [*args, "--out", str(tmp_path / "dask")], env={"CCSIM_SCHEDULER": scheduler}
    )
    assert on_dask.exit_code == 0, on_dask.stderr
    local = CliRunner().invoke(
        cli, [*args, "--out", str(tmp_path / "local"), "-j", "2"], env={"CCSIM_SCHEDULER": ""}
    )
    assert local.exit_code == 0, local.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "dask" / "sweep.parquet"),
        pd.read_parquet(tmp_path / "local" / "sweep.parquet"),
    )


@pytest.mark.distributed
def test_a_result_this_process_cannot_unpickle_is_an_error_not_a_hang(scheduler):
    """(Dask's own ``get_executor()`` leaves such a future pending forever.)"""
    import operator

    class Unreadable:  # defined here, so it travels by value to the worker
        def __reduce__(self):
            return operator.truediv, (1, 0)  # unpickling divides by zero

    with dask_executor(scheduler) as executor:
        future = executor.submit(lambda: Unreadable())
        assert isinstance(future.exception(timeout=60), ZeroDivisionError)
        assert executor.submit(divmod, 7, 2).result(timeout=60) == (3, 1)


def test_a_scheduler_without_workers_is_a_clear_error():
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster:
        t0 = time.perf_counter()
        with pytest.raises(SimulationError, match="has no worker"):
            dask_executor(cluster.scheduler_address, timeout=1)
        assert time.perf_counter() - t0 < 10


class _FakeClient:
    def __init__(self, versions):
        self.versions = versions

    def wait_for_workers(self, n, timeout):
        pass

    def get_versions(self, check, packages):
        return self.versions


def test_a_cluster_that_cannot_import_ccsim_is_named():
    from ccsim import __version__

    ok = {"packages": {"ccsim": __version__}}
    versions = {"scheduler": ok, "workers": {"tcp://w1": ok, "tcp://w2": {"packages": {}}}}
    with pytest.raises(SimulationError, match="worker tcp://w2 at tcp://s cannot import ccsim"):
        _check_cluster(_FakeClient(versions), "tcp://s", 1)
    versions = {"scheduler": {"packages": {"ccsim": "0.0.1"}}, "workers": {}}
    with pytest.raises(SimulationError, match=r"scheduler at tcp://s has ccsim 0\.0\.1"):
        _check_cluster(_FakeClient(versions), "tcp://s", 1)
