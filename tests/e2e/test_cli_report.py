"""`ccsim run` writes report.html; `ccsim report` rebuilds it, and exports static images."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SCENARIOS


def ccsim(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "ccsim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env=env,
    )


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "bank"
    proc = ccsim("run", SCENARIOS / "anonymous_bank.yaml", "-n", "3", "--out", out, "-q")
    assert proc.returncode == 0, proc.stderr
    return out


def test_run_writes_a_report_that_report_rebuilds_identically(run_folder, tmp_path):
    written = (run_folder / "report.html").read_bytes()
    assert written.startswith(b"<!doctype html>") and b"anonymous-bank" in written
    proc = ccsim("report", run_folder, "--out", tmp_path / "again.html")
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {tmp_path / 'again.html'}" in proc.stderr
    assert (tmp_path / "again.html").read_bytes() == written


@pytest.mark.parametrize("make", ["missing", "empty", "file"])
def test_report_of_a_folder_that_is_not_a_results_folder_fails_clearly(tmp_path, make):
    target = tmp_path / "not-results"
    if make == "empty":
        target.mkdir()
    elif make == "file":
        target.write_text("x")
    proc = ccsim("report", target)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    if make != "file":  # a file is refused by the argument check (exit 2)
        assert proc.returncode == 1
        assert "results folder" in proc.stderr or "not a folder" in proc.stderr


def test_images_without_a_browser_fail_at_once_with_a_clear_message(run_folder, tmp_path):
    env = {**os.environ, "BROWSER_PATH": str(tmp_path / "no-chromium")}
    proc = ccsim("report", run_folder, "--out", tmp_path / "r.html", "--images", "png", env=env)
    assert proc.returncode == 1
    assert "need Chrome or Chromium" in proc.stderr and "apt-get install chromium" in proc.stderr
    assert not (tmp_path / "r.html").exists()  # checked before anything is written


@pytest.mark.browser
def test_images_are_exported_with_kaleido(run_folder, tmp_path, chromium, browser_env):
    pytest.importorskip("kaleido")
    proc = ccsim(
        "report", run_folder, "--out", tmp_path / "r.html", "--images", "svg", env=browser_env
    )
    assert proc.returncode == 0, proc.stderr
    svgs = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert "service-level.svg" in svgs and "kpis.svg" in svgs and len(svgs) == 8
    assert (tmp_path / "figures" / "occupancy.svg").read_text().lstrip().startswith("<svg")
