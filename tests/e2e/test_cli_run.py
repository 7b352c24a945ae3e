"""End to end: the commands a planner types, on the bundled scenarios."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from ccsim.analysis.stats import paired_difference
from ccsim.experiments import simulate
from ccsim.scenario import json_schema, load_scenario
from tests.conftest import ROOT, SCENARIOS


def ccsim(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "ccsim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=600,
        env={k: v for k, v in os.environ.items() if k != "COLUMNS"},  # as in a CI log
    )


@pytest.fixture(scope="module")
def blended_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    proc = ccsim("run", SCENARIOS / "voice_chat_blended.yaml", "-n", "4", "--out", out, "-j", "2")
    return proc, out


def test_run_prints_tables_and_writes_the_output_contract(blended_run):
    proc, out = blended_run
    assert proc.returncode == 0, proc.stderr
    assert "Channels" in proc.stdout and "Pools" in proc.stdout and "Totals" in proc.stdout
    assert "…" not in proc.stdout  # piped output: no number or name is cut short
    assert f"Results: {out}" in proc.stdout
    for name in (
        "summary.json",
        "intervals.parquet",
        "pool_intervals.parquet",
        "contacts.parquet",
        "replications.parquet",
        "scenario.resolved.yaml",
        "provenance.json",
    ):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "voice-chat-blended" and summary["replications"] == 4
    assert set(summary["channels"]) == {"voice", "chat"}
    for metric in (
        "offered",
        "answered",
        "abandoned",
        "deflected",
        "service_level",
        "service_level_answered",
        "asa",
        "mean_wait",
        "mean_wait_abandoned",
        "p_wait",
        "abandon_rate",
        "aht",
        "max_wait",
    ):
        entry = summary["channels"]["voice"][metric]
        assert set(entry) == {"mean", "ci95"} and len(entry["ci95"]) == 2
    assert set(summary["pools"]["specialists"]) >= {"occupancy", "agent_hours", "cost"}
    assert set(summary["totals"]) >= {"cost", "cost_per_contact", "cost_per_resolved_issue"}
    intervals = pd.read_parquet(out / "intervals.parquet")
    assert len(intervals) == 4 * 5 * 24 * 2  # replications x days x intervals x channels
    contacts = pd.read_parquet(out / "contacts.parquet")
    assert set(contacts.replication) == {0}  # the first replication by default
    assert set(contacts.outcome.astype(str)) <= {"answered", "abandoned", "in_system"}


def test_resolved_scenario_reloads_to_the_same_model(blended_run):
    _, out = blended_run
    assert load_scenario(out / "scenario.resolved.yaml") == load_scenario(
        SCENARIOS / "voice_chat_blended.yaml"
    )


def test_summary_is_bit_identical_across_runs_and_worker_counts(tmp_path):
    scenario = SCENARIOS / "voice_chat_siloed.yaml"
    outs = []
    for i, jobs in enumerate(["1", "1", "2"]):
        out = tmp_path / f"o{i}"
        proc = ccsim("run", scenario, "-n", "3", "--jobs", jobs, "--out", out, "--contacts", "none")
        assert proc.returncode == 0, proc.stderr
        outs.append((out / "summary.json").read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_json_flag_prints_the_summary(tmp_path):
    proc = ccsim("run", SCENARIOS / "anonymous_bank.yaml", "-n", "2", "--json", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads((tmp_path / "summary.json").read_text())


def test_set_overrides_change_the_run(tmp_path):
    proc = ccsim(
        "run",
        SCENARIOS / "anonymous_bank.yaml",
        "-n",
        "2",
        "--json",
        "--out",
        tmp_path,
        "--set",
        "pools.agents.agents=12",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["channels"]["voice"]["abandon_rate"]["mean"] < 0.01


def test_validate_and_schema_commands():
    proc = ccsim("validate", *sorted(SCENARIOS.glob("*.yaml")))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("ok: ") == len(list(SCENARIOS.glob("*.yaml")))
    proc = ccsim("schema")
    assert proc.returncode == 0 and json.loads(proc.stdout) == json_schema()


def test_python_api_parallel_equals_serial():
    sc = load_scenario(SCENARIOS / "anonymous_bank.yaml")
    serial = simulate(sc, replications=6, jobs=1, contacts="all")
    parallel = simulate(sc, replications=6, jobs=2, contacts="all")
    pd.testing.assert_frame_equal(serial.summary(), parallel.summary())
    pd.testing.assert_frame_equal(serial.contacts(), parallel.contacts())
    pd.testing.assert_frame_equal(serial.intervals(), parallel.intervals())


def test_pooling_blended_beats_siloed_at_the_same_headcount():
    """Same seed for both (common random numbers): a paired comparison of combined SL."""
    siloed = simulate(
        SCENARIOS / "voice_chat_siloed.yaml", replications=20, jobs=2, contacts="none"
    )
    blended = simulate(
        SCENARIOS / "voice_chat_blended.yaml", replications=20, jobs=2, contacts="none"
    )
    diff = paired_difference(
        siloed.value("total", "all", "service_level"),
        blended.value("total", "all", "service_level"),
    )
    assert diff.low > 0, f"blended - siloed combined SL: {diff}"
    # Same headcount per interval in both plans.
    s = siloed.pool_intervals().groupby(["replication", "day", "interval"])["scheduled"].sum()
    b = blended.pool_intervals().groupby(["replication", "day", "interval"])["scheduled"].sum()
    assert (s == b).all()
