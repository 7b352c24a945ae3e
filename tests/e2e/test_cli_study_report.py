"""End to end: compare, sweep and optimize write report.html; `ccsim report` rebuilds it.

In-process (click's CliRunner): each subprocess would cost seconds of imports.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ccsim.cli import cli

TINY = """\
name: tiny
seed: 7
replications: 2
horizon: {days: 1, open: "08:00", close: "10:00", interval: 1h}
channels:
  voice:
    arrivals: {per_interval: [60, 90]}
    handle_time: {dist: exponential, mean: 3min}
    patience: {dist: exponential, mean: 2min}
    service_level: {target: 0.8, within: 20s}
pools:
  phone: {skills: [voice], agents: 3, cost_per_hour: 30}
"""


def invoke(*args: object):
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"CCSIM_SCHEDULER": ""})
    assert "Traceback" not in result.output + result.stderr
    return result


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / "tiny.yaml").write_text(TINY)
    (folder / "more.yaml").write_text(
        TINY.replace("tiny", "more").replace("agents: 3", "agents: 4")
    )
    return folder / "tiny.yaml", folder / "more.yaml"


@pytest.fixture(scope="module")
def studies(scenarios, tmp_path_factory) -> dict[str, Path]:
    """A comparison, a sweep and an optimisation, each run once by the command line."""
    tiny, more = scenarios
    base = tmp_path_factory.mktemp("studies")
    runs = {
        "compare": ["compare", tiny, more, "-n", "3"],
        "sweep": ["sweep", tiny, "--grid", "pools.phone.agents=2:4:1", "-n", "3"],
        "optimize": ["optimize", tiny, "-n", 4, "--max-replications", 4, "--validate-seed", 9],
    }
    for kind, args in runs.items():
        result = invoke(*args, "--out", base / kind, "-j", "1", "-q")
        assert result.exit_code == 0, result.stderr
        assert f"Report: {base / kind / 'report.html'}" in result.stderr
    return {kind: base / kind for kind in runs}


@pytest.mark.parametrize("kind", ["compare", "sweep", "optimize"])
def test_each_study_writes_a_report_that_report_rebuilds_identically(studies, kind, tmp_path):
    folder = studies[kind]
    written = (folder / "report.html").read_bytes()
    assert written.startswith(b"<!doctype html>") and f'data-report="{kind}"'.encode() in written
    (folder / "report.html").unlink()
    result = invoke("report", folder)
    assert result.exit_code == 0, result.stderr
    assert f"wrote {folder / 'report.html'}" in result.stderr
    assert (folder / "report.html").read_bytes() == written


def test_the_study_pages_show_what_each_study_is_about(studies):
    compare = (studies["compare"] / "report.html").read_text(encoding="utf-8")
    assert "Differences against tiny" in compare and "Δ more" in compare
    assert 'href="scenarios/more/report.html"' in compare
    sweep = (studies["sweep"] / "report.html").read_text(encoding="utf-8")
    assert 'id="fig-frontier"' in sweep and "phone.agents=3" in sweep
    optimize = (studies["optimize"] / "report.html").read_text(encoding="utf-8")
    for div in ("fig-plan", "fig-kpis", "fig-validation", "fig-history"):
        assert f'id="{div}"' in optimize
    assert (studies["optimize"] / "final" / "report.html").is_file()


def test_a_resumed_sweep_writes_its_report_again(scenarios, studies):
    folder = studies["sweep"]
    (folder / "report.html").unlink()
    tiny, _ = scenarios
    args = ["sweep", tiny, "--grid", "pools.phone.agents=2:4:1", "-n", "3", "--out", folder]
    result = invoke(*args, "-j", "1", "-q")
    assert result.exit_code == 0 and "3 resumed" in result.stderr
    assert (folder / "report.html").is_file()


def test_a_report_that_fails_loses_no_results(scenarios, tmp_path, monkeypatch):
    def broken(folder):
        raise RuntimeError("no ink")

    monkeypatch.setattr("ccsim.report.study_html.write_study_report", broken)
    tiny, more = scenarios
    result = invoke("compare", tiny, more, "-n", "2", "--out", tmp_path / "cmp", "-j", "1", "-q")
    assert result.exit_code == 0, result.stderr
    assert "warning: the report could not be written (RuntimeError: no ink)" in result.stderr
    assert f"ccsim report {tmp_path / 'cmp'}" in result.stderr
    assert (tmp_path / "cmp" / "compare.parquet").is_file()
    assert not (tmp_path / "cmp" / "report.html").exists()


def test_report_of_a_folder_that_is_neither_a_run_nor_a_study_fails_clearly(tmp_path):
    result = invoke("report", tmp_path)
    assert result.exit_code == 1
    assert "is not a ccsim results folder" in result.stderr and "ccsim sweep" in result.stderr
    (tmp_path / "points").mkdir()
    (tmp_path / "design.json").write_text('{"identity": {"kind": "compare"}}')
    result = invoke("report", tmp_path)
    assert result.exit_code == 1 and "`ccsim compare` that has not finished" in result.stderr


def test_rerunning_optimize_without_validation_drops_the_old_validation(scenarios, tmp_path):
    tiny, _ = scenarios
    args = ["optimize", tiny, "-n", 4, "--max-replications", 4, "--out", tmp_path, "-j", "1", "-q"]
    assert invoke(*args, "--validate-seed", 9).exit_code == 0
    assert (tmp_path / "validation.parquet").is_file()
    assert invoke(*args).exit_code == 0
    assert not (tmp_path / "validation.parquet").exists()
    assert 'id="fig-validation"' not in (tmp_path / "report.html").read_text(encoding="utf-8")
