"""End to end: ``ccsim compare`` and ``ccsim sweep``, their errors, Ctrl-C and resuming.

Bad-input cases run in-process (click's CliRunner) because each subprocess costs
seconds of imports; the Ctrl-C test needs a real process and a real SIGINT.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ccsim.cli import cli
from tests.conftest import ROOT

TINY = """\
name: tiny
seed: 7
replications: 2
horizon: {days: 1, open: "08:00", close: "10:00", interval: 30min}
channels:
  voice:
    arrivals: {rate: 60/h}
    handle_time: {dist: exponential, mean: 3min}
    patience: {dist: exponential, mean: 2min}
pools:
  phone: {skills: [voice], agents: 3, cost_per_hour: 30}
"""

#: Loaded at start-up by every Python process of the CLI under test (main process,
#: forkserver and its workers): makes the simulation of one staffing level raise, and
#: every replication slower, so that a SIGINT lands while points are still running.
SITECUSTOMIZE = """\
import os
if os.environ.get("CCSIM_TEST_FAIL_AGENTS"):
    import time
    import ccsim.experiments.runner as runner
    _run = runner.run_replication
    def run_replication(scenario, seed, replication=0, **kw):
        time.sleep(float(os.environ.get("CCSIM_TEST_SLOW", "0")))
        if scenario.pools["phone"].agents == int(os.environ["CCSIM_TEST_FAIL_AGENTS"]):
            raise RuntimeError("injected failure")
        return _run(scenario, seed, replication, **kw)
    runner.run_replication = run_replication
"""


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def invoke(*args: object) -> object:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"CCSIM_SCHEDULER": ""})
    assert "Traceback" not in result.output + result.stderr
    return result


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--grid", "pools.phon.agents=2,3"], 1, "--grid pools.phon.agents: pools.phon: no entry"),
        (["--grid", "pools.phone.agents=2,-1"], 1, "pools.phone.agents=-1: pools.phone.agents"),
        (["--grid", "pools.phone.agents"], 2, "expected PATH=a:b:step"),
        (["--grid", "pools.phone.agents=9:3:1"], 2, "is empty"),
        ([], 2, "no grid: give at least one --grid"),
        (["--design", "list", "--grid", "a.b=1,2", "--grid", "a.c=1"], 1, "equal length"),
        (["--design", "nope", "--grid", "pools.phone.agents=2"], 2, "product, list or a design"),
    ],
)
def test_bad_grids_are_refused_before_anything_runs(tiny_file, tmp_path, args, code, message):
    result = invoke("sweep", tiny_file, "--out", tmp_path / "out", *args)
    assert result.exit_code == code, result.output + result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out" / "points").exists()


def test_unreachable_scheduler_fails_fast_and_clearly(tiny_file, tmp_path):
    t0 = time.perf_counter()
    result = invoke(
        "sweep", tiny_file, "--grid", "pools.phone.agents=2,3", "--out", tmp_path / "out",
        "--scheduler", "tcp://127.0.0.1:9",
    )  # fmt: skip
    assert time.perf_counter() - t0 < 15
    assert result.exit_code == 1
    assert "cannot connect to the Dask scheduler at tcp://127.0.0.1:9" in result.stderr


def test_compare_prints_paired_differences_and_writes_the_table(tiny_file, tmp_path):
    more = tmp_path / "more.yaml"
    more.write_text(TINY.replace("name: tiny", "name: more").replace("agents: 3", "agents: 4"))
    out = tmp_path / "cmp"
    result = invoke("compare", tiny_file, more, "-n", "3", "--out", out, "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert "Δ more" in result.stdout and "voice · ASA" in result.stdout
    assert "2 points, 3 replications each from seed 7 (common random numbers)" in result.stderr
    table = pd.read_parquet(out / "compare.parquet")
    assert set(table.scenario) == {"tiny", "more"}
    assert (out / "scenarios" / "more" / "summary.json").is_file()
    again = invoke("compare", tiny_file, more, "-n", "3", "--out", out, "-j", "1", "--json")
    payload = json.loads(again.stdout)
    assert payload["provenance"]["points_resumed"] == 2 and len(payload["table"]) == len(table)
    other = invoke("compare", tiny_file, more, "-n", "4", "--out", out)
    assert other.exit_code == 1 and "holds the results of another study" in other.stderr


def test_sweep_with_a_design_file_and_precision(tiny_file, tmp_path):
    design = tmp_path / "design.yaml"
    design.write_text("grid:\n  pools.phone.agents: 3:4:1\n")
    result = invoke(
        "sweep", tiny_file, "--design", design, "--precision", "0.08", "--max-replications",
        "30", "--out", tmp_path / "out", "-j", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "★" in result.stdout
    assert "Precision ±0.08 on channel.*.service_level, channel.*.abandon_rate" in result.stderr
    assert "replications per point" in result.stderr
    frontier = pd.read_parquet(tmp_path / "out" / "frontier.parquet")
    assert len(frontier) == 2


def _ccsim(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ccsim", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_ctrl_c_keeps_finished_points_and_the_rerun_runs_only_the_missing(
    tiny_file, tmp_path, monkeypatch
):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {k: v for k, v in os.environ.items() if k not in ("CCSIM_DEBUG", "CCSIM_SCHEDULER")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(hooks), str(ROOT)]),
        CCSIM_TEST_FAIL_AGENTS="5",
        CCSIM_TEST_SLOW="0.2",
        NO_COLOR="1",
        COLUMNS="200",
    )
    out = tmp_path / "out"
    points = out / "points"
    args = ["sweep", str(tiny_file), "--grid", "pools.phone.agents=2:13:1", "--out", str(out)]
    args += ["-j", "2", "-q"]

    proc = _ccsim(args, env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if points.is_dir() and len(list(points.glob("*.json"))) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "Run the same command again to resume" in stderr
    kept = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in points.glob("*.json")}
    assert 3 <= len(kept) < 12, stderr

    env["CCSIM_TEST_SLOW"] = "0"
    proc = _ccsim([*args, "--json"], env)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stderr  # one point failed (and says so), the rest are fine
    assert "failed: phone.agents=5: RuntimeError: injected failure" in stderr
    payload = json.loads(stdout)
    assert payload["provenance"]["points_resumed"] == len(kept)
    assert len(list(points.glob("*.json"))) == 12
    for name, (mtime, content) in kept.items():  # finished points were not run again
        path = points / name
        assert (path.stat().st_mtime_ns, path.read_bytes()) == (mtime, content)
    failed = [json.loads(p.read_text()) for p in points.glob("*.json")]
    failed = [r for r in failed if r["status"] == "failed"]
    assert len(failed) == 1 and "RuntimeError: injected failure" in failed[0]["traceback"]

    # The resumed table equals an uninterrupted run's (here in-process, same failure).
    from ccsim.experiments import runner, sweep
    from ccsim.scenario import load_scenario

    def fail_at_5(scenario, seed, replications, keep_contacts):
        if scenario.pools["phone"].agents == 5:
            raise RuntimeError("injected failure")
        return runner.run_chunk(scenario, seed, replications, keep_contacts)

    monkeypatch.setattr("ccsim.experiments.points.run_chunk", fail_at_5)
    whole = sweep(load_scenario(tiny_file), {"pools.phone.agents": list(range(2, 14))})
    whole.save(tmp_path / "whole")
    resumed = pd.read_parquet(out / "sweep.parquet")
    pd.testing.assert_frame_equal(resumed, pd.read_parquet(tmp_path / "whole" / "sweep.parquet"))
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "frontier.parquet"),
        pd.read_parquet(tmp_path / "whole" / "frontier.parquet"),
    )
    assert list(resumed.status).count("failed") == 1
