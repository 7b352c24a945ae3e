"""``ccsim optimize`` end to end on a small day."""

import json
import subprocess
import sys

import pandas as pd

from ccsim.scenario import load_scenario

SMALL = """name: small-day
seed: 3
horizon: {days: 1, open: "08:00", close: "10:00", interval: 1h}
channels:
  voice:
    arrivals: {per_interval: [60, 120]}
    handle_time: {dist: exponential, mean: 3min}
    patience: {dist: exponential, mean: 2min}
pools:
  phone: {skills: [voice], agents: 1, cost_per_hour: 30}
"""


def ccsim(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "ccsim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def test_optimize_writes_the_plan_and_every_evaluation(tmp_path):
    (tmp_path / "s.yaml").write_text(SMALL)
    proc = ccsim("optimize", "s.yaml", "-n", "6", "--jobs", "1", "--out", "opt", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "opt"
    staffing = pd.read_csv(out / "staffing.csv")
    assert list(staffing.columns) == ["interval", "phone"]
    assert (staffing.phone > 0).all() and staffing.phone.iloc[1] >= staffing.phone.iloc[0]
    optimized = load_scenario(out / "scenario.optimized.yaml")
    assert optimized.pools["phone"].agents == staffing.phone.tolist()
    evaluations = sorted((out / "evaluations").glob("*.json"))
    assert len(evaluations) >= 2
    assert json.loads(evaluations[0].read_text())["phase"] == "start"
    assert (out / "final" / "summary.json").is_file()
    assert "Optimised agents per interval" in proc.stdout


def test_an_unreachable_target_exits_1_with_what_is_unmet(tmp_path):
    (tmp_path / "s.yaml").write_text(SMALL)
    proc = ccsim(
        "optimize",
        "s.yaml",
        "-n",
        "4",
        "--jobs",
        "1",
        "--max-agents",
        "1",
        "--out",
        "opt",
        "-q",
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert "no plan within the limits meets every target" in proc.stderr
    assert "voice service level" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "opt" / "staffing.csv").is_file()  # the closest plan is kept
