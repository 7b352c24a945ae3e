"""``ccsim baseline`` / ``ccsim check`` end to end, ccsim's own regression suite, the pytest plugin.

The bundled suite is ``scenarios/regression/*.yaml`` with baselines in
``scenarios/regression/baselines/``; when a core change moves outcomes on
purpose, re-bless them as ``scenarios/regression/README.md`` says.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from scipy import stats

from ccsim.experiments.baseline import kpi_values, read_baseline, write_baseline
from ccsim.experiments.margins import MarginPolicy
from ccsim.experiments.regression import check_scenario, compare_kpis, run_baseline
from ccsim.experiments.software import software_versions
from tests.conftest import ROOT
from tests.e2e.cli import assert_user_error, ccsim

SUITE = ROOT / "scenarios" / "regression"
VOICE = SUITE / "voice_day.yaml"


# --- ccsim's own regression suite ------------------------------------------------------------


def test_bundled_regression_suite_passes(tmp_path):
    """What CI runs: every regression scenario is within noise of its baseline."""
    scenarios = sorted(SUITE.glob("*.yaml"))
    assert 2 <= len(scenarios) <= 3
    junit, markdown = tmp_path / "check.xml", tmp_path / "summary.md"
    proc = ccsim(
        "check",
        *scenarios,
        "--baseline",
        SUITE / "baselines",
        "--junit",
        junit,
        "--markdown",
        markdown,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(scenarios)} of {len(scenarios)} scenarios pass" in proc.stdout
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == str(len(scenarios)) and suite.get("failures") == "0"
    assert markdown.read_text().startswith(f"## ccsim check: {len(scenarios)} of")


def test_regression_baselines_name_their_scenarios():
    for path in sorted((SUITE / "baselines").glob("*.json")):
        baseline = read_baseline(path)
        assert baseline.existing_scenario_file() == SUITE / f"{path.stem}.yaml"


# --- acceptance: what fails and what passes --------------------------------------------------


@pytest.fixture(scope="module")
def voice(tmp_path_factory) -> Path:
    """A copy of the voice regression scenario with a baseline made by ``ccsim baseline``."""
    folder = tmp_path_factory.mktemp("voice")
    shutil.copy(VOICE, folder / "voice_day.yaml")
    proc = ccsim("baseline", folder / "voice_day.yaml", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {folder / 'baselines' / 'voice_day.json'}" in proc.stdout
    return folder


def test_one_agent_fewer_is_a_changed_scenario(voice):
    proc = ccsim("check", voice / "voice_day.yaml", "--set", "pools.phone.agents=11")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "CHANGED voice_day: the scenario changed since its baseline (hash " in proc.stdout
    assert "re-run ccsim baseline to accept" in proc.stdout


def test_one_agent_fewer_fails_on_service_level_and_asa(voice, tmp_path):
    """--allow-changed compares the outcome: the statistics must catch one agent fewer."""
    junit = tmp_path / "j.xml"
    proc = ccsim(
        "check",
        voice / "voice_day.yaml",
        "--set",
        "pools.phone.agents=11",
        "--allow-changed",
        "--junit",
        junit,
        "--failures-only",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL voice_day: the scenario changed since its baseline" in proc.stdout
    failure = ET.parse(junit).getroot().find("testsuite/testcase/failure")
    assert failure is not None
    for kpi in ("channel.voice.service_level", "channel.voice.asa", "total.all.service_level"):
        assert kpi in failure.text
    assert "channel.voice.offered" not in failure.text  # same arrivals: not a failure


@pytest.mark.parametrize("test", ["paired", "welch"])
def test_one_agent_fewer_is_caught_by_either_test(test):
    baseline = read_baseline(SUITE / "baselines" / "voice_day.json")
    check = check_scenario(
        VOICE, baseline, overrides=["pools.phone.agents=11"], allow_changed=True, test=test
    )
    assert check.status == "fail" and check.changed and check.test == test
    failed = {k.label: k for k in check.failed_kpis}
    assert {"channel.voice.service_level", "channel.voice.asa"} <= set(failed)
    assert failed["channel.voice.service_level"].delta < -0.04
    assert "channel.voice.offered" not in failed and "channel.voice.aht" not in failed


def test_a_comment_and_reordered_keys_pass(voice):
    text = (voice / "voice_day.yaml").read_text()
    assert "cost_per_hour: 30" in text and "    skills: [voice]\n" in text
    edited = text.replace("    skills: [voice]\n", "    # who answers\n") + "    skills: [voice]\n"
    moved = voice / "moved"
    moved.mkdir()
    (moved / "voice_day.yaml").write_text("# a comment on top\n" + edited)
    baseline = read_baseline(voice / "baselines" / "voice_day.json")
    check = check_scenario(moved / "voice_day.yaml", baseline, exact=True)
    assert check.passed and not check.changed and check.digest_matches, check.message


def test_writing_a_default_out_is_not_a_change(voice):
    """The file hash differs, the model hash does not: the same scenario."""
    text = (voice / "voice_day.yaml").read_text()
    explicit = voice / "explicit"
    explicit.mkdir()
    (explicit / "voice_day.yaml").write_text(
        text.replace("  voice:\n", "  voice:\n    kind: live\n")
    )
    baseline = read_baseline(voice / "baselines" / "voice_day.json")
    check = check_scenario(explicit / "voice_day.yaml", baseline)
    assert check.passed and not check.changed and not check.resolved_changed, check.message


def test_a_ccsim_that_resolves_the_file_differently_is_compared(voice):
    """What an upgrade that adds a field with a default looks like: only the model hash moved."""
    baseline = read_baseline(voice / "baselines" / "voice_day.json")
    older = dataclasses.replace(baseline, scenario_sha256="0" * 64)
    check = check_scenario(voice / "voice_day.yaml", older)
    assert check.passed and check.resolved_changed and not check.changed
    assert check.message.startswith(
        "the scenario file is unchanged but this ccsim resolves it differently (hash 00000000 → "
    )


def test_another_seed_passes_statistically_but_fails_exact(voice):
    baseline = read_baseline(voice / "baselines" / "voice_day.json")
    check = check_scenario(voice / "voice_day.yaml", baseline, seed=baseline.seed + 1)
    assert check.passed and check.test == "welch", check.message
    assert check.digest_matches is False
    proc = ccsim("check", voice / "voice_day.yaml", "--seed", baseline.seed + 1, "--exact")
    assert proc.returncode == 1
    assert "contact records differ from the baseline's (digest " in proc.stdout
    same = ccsim("check", voice / "voice_day.yaml", "--exact")
    assert same.returncode == 0, same.stdout + same.stderr
    assert "contact records of replication 0: identical" in same.stdout


def test_exact_failure_names_a_numpy_or_simpy_upgrade(voice):
    """Records that differ after an upgrade say which package moved; the same ones do not."""
    baseline = read_baseline(voice / "baselines" / "voice_day.json")
    now = software_versions()
    older = dataclasses.replace(baseline, software={**now, "numpy": "0.0.1", "scipy": "0.0.2"})
    check = check_scenario(voice / "voice_day.yaml", older, seed=baseline.seed + 1, exact=True)
    assert check.status == "fail"
    assert f"written with other software: numpy 0.0.1 → {now['numpy']})" in check.message
    assert "scipy" not in check.message  # SciPy does not decide the records
    same = dataclasses.replace(baseline, software=now)
    check = check_scenario(voice / "voice_day.yaml", same, seed=baseline.seed + 1, exact=True)
    assert check.status == "fail" and "other software" not in check.message


def test_update_rebaselines_a_changed_scenario(tmp_path):
    shutil.copy(VOICE, tmp_path / "voice_day.yaml")
    shutil.copytree(SUITE / "baselines", tmp_path / "b", ignore=shutil.ignore_patterns("[!v]*"))
    path = tmp_path / "voice_day.yaml"
    path.write_text(path.read_text().replace("agents: 12", "agents: 13"))
    proc = ccsim("check", path, "--baseline", tmp_path / "b", "--update")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"updated {tmp_path / 'b' / 'voice_day.json'}" in proc.stdout
    proc = ccsim("check", "--baseline", tmp_path / "b")  # every baseline in the folder
    assert proc.returncode == 0 and "1 of 1 scenarios pass" in proc.stdout


# --- bad input -------------------------------------------------------------------------------


def test_bad_baselines_are_one_error_line_each(tmp_path):
    good = json.loads((SUITE / "baselines" / "voice_day.json").read_text())
    spoil = {
        "b": '{"format": 1, "kind": "ccsim-baseline",',
        "c": (SUITE / "baselines" / "bank_day.json").read_text(),
        "d": json.dumps({**good, "ccsim_version": "99.0.0"}),
        "e": json.dumps({**good, "format": 7}),
        "f": json.dumps({k: v for k, v in good.items() if k != "format"}),
    }
    (tmp_path / "baselines").mkdir()
    for stem in "abcdef":
        shutil.copy(VOICE, tmp_path / f"{stem}.yaml")
        if stem in spoil:
            (tmp_path / "baselines" / f"{stem}.json").write_text(spoil[stem])
    proc = ccsim("check", *sorted(tmp_path.glob("*.yaml")))
    assert_user_error(proc)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 6, proc.stderr
    expected = [
        "no baseline for",
        "corrupt JSON",
        "baseline of scenario 'regression-bank-day'",
        "written by ccsim 99.0.0, newer than this ccsim",
        "baseline format 7 (written by ccsim 0.1.0) is newer than the format",
        "not a ccsim baseline",
    ]
    for line, words in zip(errors, expected, strict=True):
        assert words in line, line
    assert "0 of 6 scenarios pass" in proc.stdout


def test_bad_margins_and_missing_scenarios_are_user_errors(tmp_path):
    shutil.copytree(SUITE / "baselines", tmp_path / "b")
    (tmp_path / "b" / "regression.yaml").write_text("margins: {asa: quick}\n")
    proc = ccsim("check", "--baseline", tmp_path / "b")
    assert_user_error(proc)
    assert "regression.yaml: margins.asa: expected a number" in proc.stderr
    (tmp_path / "b" / "regression.yaml").unlink()
    proc = ccsim("check", "--baseline", tmp_path / "b")  # the scenarios are not next to it
    assert_user_error(proc)
    assert proc.stderr.count("does not exist; the scenario path is relative") == 3
    assert ccsim("check").returncode == 2  # neither scenarios nor --baseline: usage


# --- the pytest plugin -----------------------------------------------------------------------


def test_pytest_plugin_collects_one_test_per_baseline(tmp_path):
    folder = tmp_path / "suite"
    shutil.copytree(SUITE, folder, ignore=shutil.ignore_patterns("bank_day*"))
    # Spoil the stored service levels: the scenario is unchanged, its outcome "moved".
    path = folder / "baselines" / "voice_day.json"
    data = json.loads(path.read_text())
    for kpi in data["kpis"]:
        if kpi["metric"] == "service_level":
            kpi["values"] = [v + 0.05 for v in kpi["values"]]
    path.write_text(json.dumps(data))
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    args = [sys.executable, "-m", "pytest", "-p", "ccsim.pytest_plugin", "-p", "no:cacheprovider"]
    proc = subprocess.run(
        [*args, "--ccsim-baselines", folder / "baselines", "--rootdir", tmp_path],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = proc.stdout
    assert proc.returncode == 1, out
    assert "collected 2 items" in out and "1 failed, 1 passed" in out
    assert "FAILED suite/baselines/voice_day.json::check" in out
    assert "channel.voice.service_level" in out and "FAIL" in out and "p (Holm)" in out
    plain = subprocess.run(
        args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert plain.returncode == 5, plain.stdout  # no option: no tests collected


def test_pytest_plugin_is_registered_as_an_entry_point():
    import tomllib
    from importlib.metadata import entry_points

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["project"]["entry-points"]["pytest11"] == {"ccsim": "ccsim.pytest_plugin"}
    installed = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert installed.get("ccsim") == "ccsim.pytest_plugin", "reinstall: pip install -e ."


# --- the false-alarm rate --------------------------------------------------------------------

PAIRS = 50
REPLICATIONS = 10  # per run: keeps the test near a minute
#: If the false-alarm rate were exactly 5%, alarms ~ Binomial(50, 0.05): 2.5 expected,
#: and 8 or more with probability 0.003. So "at most 7" fails a correct check for fewer
#: than 1 in 300 choices of seeds, while a check without the multiple-testing correction
#: (a third of runs alarm on this scenario: benchmarks/bench_regression.py) fails it.
MAX_ALARMS = 7


@pytest.mark.slow
def test_false_alarm_rate_of_an_unchanged_scenario_is_at_most_5_percent(tmp_path):
    assert stats.binom.sf(MAX_ALARMS, PAIRS, 0.05) < 0.005
    welch = paired = 0
    for i in range(PAIRS):
        seed = 90_000 + 2 * i  # independent pairs: a baseline seed and a check seed
        baseline = run_baseline(
            VOICE, tmp_path / "voice_day.json", replications=REPLICATIONS, seed=seed
        )
        check = check_scenario(VOICE, baseline, seed=seed + 1)
        assert check.test == "welch"
        welch += not check.passed
        # The paired test on the same runs: valid for any pairs that are i.i.d.
        rows = compare_kpis(
            baseline.values, kpi_values(check.result), MarginPolicy().margin, paired=True
        )
        paired += any(r.failed for r in rows)
    write_baseline(baseline)  # the last one, for a look when this fails
    assert welch <= MAX_ALARMS, f"{welch}/{PAIRS} false alarms (Welch)"
    assert paired <= MAX_ALARMS, f"{paired}/{PAIRS} false alarms (paired)"
