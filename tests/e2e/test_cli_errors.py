"""What a user sees on the command line for each kind of bad scenario input.

Runs the real CLI (``python -m ccsim``) and checks that every error is one
``error: FILE:LINE:COL: FIELD: MESSAGE`` line on stderr, the exit code is 1 and
no Python traceback leaks out.

Each subprocess costs a few seconds (imports), so the bad *files* are checked by
one ``ccsim validate`` over all of them (it reports every file); ``--set`` and
``ccsim run`` cases get a subprocess each.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccsim.scenario.workforce import Pool
from tests.e2e.cli import assert_user_error, ccsim

VALID = """\
name: small
horizon:
  open: "08:00"
  close: "12:00"
  interval: 1h
channels:
  voice:
    arrivals:
      rate: 100
    handle_time: {dist: exponential, mean: 5min}
pools:
  phone:
    skills: [voice]
    agents: 12
"""

POOL_FIELDS = "allowed: " + ", ".join(Pool.model_fields)  # the message lists them all


def error_line(stderr: str, where: str) -> str:
    """The one ``error:`` line of *stderr* that starts with ``error: {where}``."""
    lines = [ln for ln in stderr.splitlines() if ln.startswith(f"error: {where}")]
    assert len(lines) == 1, f"no single line 'error: {where}...' in:\n{stderr}"
    return lines[0]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- bad files, all checked by one `ccsim validate` ---------------------------------------------


@dataclass(frozen=True)
class Case:
    files: dict[str, str]  # name -> YAML; the first one is passed to `ccsim validate`
    where: str  # "FILE:LINE[:COL]: FIELD" expected after "error: " (FILE relative to the case)
    says: str  # a phrase telling what is wrong and what is allowed


CASES = {
    "malformed-yaml": Case(
        {"s.yaml": VALID.replace("    agents: 12", "     agents: 12")},
        "s.yaml:14:6",
        "invalid YAML",
    ),
    "unknown-key": Case(
        {"s.yaml": VALID.replace("agents: 12", "agnets: 12")},
        "s.yaml:14:5: pools.phone.agnets",
        f"unknown field 'agnets' (did you mean 'agents'?); {POOL_FIELDS}",
    ),
    "wrong-type": Case(
        {"s.yaml": VALID.replace("agents: 12", 'agents: "many"')},
        "s.yaml:14:13: pools.phone.agents",
        "expected a whole number, a list or a mapping (key: value) (got 'many')",
    ),
    "zero-rate": Case(
        {"s.yaml": VALID.replace("rate: 100", "rate: 0")},
        "s.yaml:9:13: channels.voice.arrivals.rate",
        "must be greater than 0",
    ),
    "negative-agents": Case(
        {"s.yaml": VALID.replace("agents: 12", "agents: -2")},
        "s.yaml:14:13: pools.phone.agents",
        "greater than or equal to 1 (got -2)",
    ),
    "shrinkage-out-of-range": Case(
        {"s.yaml": VALID + "    shrinkage: 1.2\n"},
        "s.yaml:15:16: pools.phone.shrinkage",
        "less than 1 (got 1.2)",
    ),
    "undefined-channel": Case(
        {"s.yaml": VALID.replace("skills: [voice]", "skills: [voice, email]")},
        "s.yaml:13:21: pools.phone.skills.email",
        "unknown channel 'email'; channels: voice",
    ),
    "per-interval-length": Case(
        {"s.yaml": VALID.replace("rate: 100", "per_interval: [100, 120, 90]")},
        "s.yaml:9:21: channels.voice.arrivals.per_interval",
        "has 3 entries but the day has 4 intervals",
    ),
    "agents-list-length": Case(
        {"s.yaml": VALID.replace("agents: 12", "agents: [10, 12, 12, 10, 9]")},
        "s.yaml:14:13: pools.phone.agents",
        "has 5 entries but the day has 4 intervals",
    ),
    "close-before-open": Case(
        {"s.yaml": VALID.replace('close: "12:00"', 'close: "07:00"')},
        "s.yaml:4:10: horizon.close",
        "closing time 07:00 must be after opening time 08:00",
    ),
    "interval-does-not-divide": Case(
        {"s.yaml": VALID.replace("interval: 1h", "interval: 25min")},
        "s.yaml:5:13: horizon.interval",
        "must divide the opening hours",
    ),
    "missing-handle-time": Case(
        {"s.yaml": VALID.replace("    handle_time: {dist: exponential, mean: 5min}\n", "")},
        "s.yaml:7:3: channels.voice.handle_time",
        "required field 'handle_time' is missing",
    ),
    "missing-pools": Case(
        {"s.yaml": VALID.split("pools:")[0]},
        "s.yaml:1:1: pools",
        "required field 'pools' is missing",
    ),
    "bad-duration": Case(
        {"s.yaml": VALID.replace("mean: 5min", "mean: 5 mins")},
        "s.yaml:10:44: channels.voice.handle_time.mean",
        "a number with a unit ms, s, min, h, d (e.g. 20s, 5min), got '5 mins'",
    ),
    "negative-duration": Case(
        {"s.yaml": VALID.replace("mean: 5min", "mean: -3s")},
        "s.yaml:10:44: channels.voice.handle_time.mean",
        "a duration must not be negative, got '-3s'",
    ),
    "circular-extends": Case(
        {"a.yaml": "extends: b.yaml\nname: a\n", "b.yaml": "name: b\nextends: a.yaml\n"},
        "b.yaml:2:10: extends",
        "circular extends: a.yaml -> b.yaml -> a.yaml",
    ),
    "extends-missing-file": Case(
        {"s.yaml": "name: child\nextends: nowhere.yaml\n"},
        "s.yaml:2:10: extends",
        "cannot extend 'nowhere.yaml': no such file",
    ),
    "error-in-base-file": Case(
        {
            "child.yaml": "extends: base/centre.yaml\nname: child\n",
            "base/centre.yaml": VALID.replace("agents: 12", "agents: 0"),
        },
        "base/centre.yaml:14:13: pools.phone.agents",
        "greater than or equal to 1 (got 0)",
    ),
    "empty-file": Case({"s.yaml": ""}, "s.yaml:1", "the file is empty"),
    "yaml-list": Case({"s.yaml": "- name: a\n- name: b\n"}, "s.yaml:1:1", "must be a YAML mapping"),
    "yaml-scalar": Case({"s.yaml": "hello\n"}, "s.yaml:1:1", "must be a YAML mapping"),
    "duplicate-key": Case(
        {"s.yaml": VALID + "    agents: 13\n"},
        "s.yaml:15:5: pools.phone.agents",
        "duplicate key 'agents' (first at line 14); a key may appear only once",
    ),
    "file-does-not-exist": Case({}, "missing.yaml", "file not found"),
    "brackets-in-file-name": Case(
        {"centre [copy].yaml": VALID.replace("agents: 12", "agents: 0")},
        "centre [copy].yaml:14:13: pools.phone.agents",
        "greater than or equal to 1",
    ),
}

XFAIL: dict[str, str] = {}  # cases with a known wrong message (none at present)


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Write every case in its own folder and run one `ccsim validate` over all of them."""
    root = tmp_path_factory.mktemp("bad").resolve()
    targets = []
    for name, case in CASES.items():
        folder = root / name
        folder.mkdir()
        for file, text in case.files.items():
            write(folder, file, text)
        targets.append(folder / (next(iter(case.files)) if case.files else "missing.yaml"))
    ok = write(root, "ok.yaml", VALID)
    return root, ok, ccsim("validate", *targets, ok, cwd=root)


def test_validate_reports_every_bad_file_and_exits_1(validated):
    _, ok, proc = validated
    assert_user_error(proc)
    assert proc.stdout.startswith(f"ok: {ok} (small: 1 channels, 1 pools")
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) >= len(CASES), proc.stderr


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            n, marks=[pytest.mark.xfail(strict=True, reason=XFAIL[n])] if n in XFAIL else []
        )
        for n in CASES
    ],
)
def test_validate_names_file_line_and_field(validated, name):
    root, _, proc = validated
    case = CASES[name]
    line = error_line(proc.stderr, f"{root / name / case.where}: ")
    assert case.says in line


# --- --set overrides ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "where", "says"),
    [
        pytest.param(
            "pools.nope.agents=3",
            "--set pools.nope.agents=3: pools.nope",
            "no entry 'nope'; existing: phone",
            id="no-such-pool",
        ),
        pytest.param(
            "pools.phone.agentz=3",
            "--set pools.phone.agentz=3: pools.phone.agentz",
            f"unknown field 'agentz' (did you mean 'agents'?); {POOL_FIELDS}",
            id="no-such-field",
        ),
        pytest.param(
            "pools.phone.agents=-1",
            "--set pools.phone.agents=-1: pools.phone.agents",
            "greater than or equal to 1 (got -1)",
            id="invalid-value",
        ),
    ],
)
def test_validate_with_a_bad_set(tmp_path, override, where, says):
    scenario = write(tmp_path, "s.yaml", VALID)
    proc = ccsim("validate", scenario, "--set", override, cwd=tmp_path)
    assert_user_error(proc)
    line = error_line(proc.stderr, f"{where}: ")
    assert says in line
    assert str(scenario) not in proc.stderr  # points at the --set, not at a line of the file


# --- ccsim run -----------------------------------------------------------------------------------


def test_run_with_a_bad_value_writes_nothing(tmp_path):
    scenario = write(tmp_path, "s.yaml", VALID.replace("rate: 100", "rate: 0"))
    out = tmp_path / "out"
    proc = ccsim("run", scenario, "--out", out, "-n", "2", "-q", cwd=tmp_path)
    assert_user_error(proc)
    line = error_line(proc.stderr, f"{scenario}:9:13: channels.voice.arrivals.rate: ")
    assert "must be greater than 0" in line
    assert not out.exists()


def test_run_names_the_base_file_of_an_extends(tmp_path):
    base = write(tmp_path, "base/centre.yaml", VALID.replace("interval: 1h", "interval: 5 mins"))
    child = write(tmp_path, "child.yaml", "extends: base/centre.yaml\nname: child\n")
    out = tmp_path / "out"
    proc = ccsim("run", child, "--out", out, "-n", "2", "-q", cwd=tmp_path)
    assert_user_error(proc)
    line = error_line(proc.stderr, f"{base}:5:13: horizon.interval: ")
    assert "a number with a unit ms, s, min, h, d" in line
    assert not out.exists()


def test_run_with_a_set_value_that_fails_validation(tmp_path):
    scenario = write(tmp_path, "s.yaml", VALID)
    out = tmp_path / "out"
    proc = ccsim(
        "run", scenario, "--set", "pools.phone.agents=-1", "--out", out, "-n", "2", "-q",
        cwd=tmp_path,
    )  # fmt: skip
    assert_user_error(proc)
    line = error_line(proc.stderr, "--set pools.phone.agents=-1: pools.phone.agents: ")
    assert "greater than or equal to 1" in line
    assert not out.exists()


def test_run_of_a_file_that_does_not_exist(tmp_path):
    out = tmp_path / "out"
    proc = ccsim("run", "nowhere.yaml", "--out", out, "-q", cwd=tmp_path)
    assert_user_error(proc)
    assert error_line(proc.stderr, "nowhere.yaml: ") == "error: nowhere.yaml: file not found"
    assert not out.exists()
