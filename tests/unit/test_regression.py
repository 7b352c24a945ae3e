"""The pieces of ``ccsim check``: tests and correction, margins, baseline files, digests."""

from __future__ import annotations

import json
import math
import platform

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccsim.analysis.significance import holm, paired_pvalue, welch_pvalue
from ccsim.errors import CcsimError
from ccsim.experiments.baseline import (
    Baseline,
    BaselineError,
    RecordDigest,
    contacts_digest,
    read_baseline,
    write_baseline,
)
from ccsim.experiments.margins import (
    Margin,
    MarginPolicy,
    MarginsError,
    load_margins,
    margins_for_folder,
    metric_kind,
    parse_margin,
)
from ccsim.experiments.regression import compare_kpis
from ccsim.experiments.software import software_differences, software_versions

SL = ("channel", "voice", "service_level")
ASA = ("channel", "voice", "asa")


# --- tests and correction -----------------------------------------------------------------------


def test_welch_and_paired_pvalues_match_scipy():
    rng = np.random.default_rng(1)
    x, y = rng.normal(0.80, 0.05, 20), rng.normal(0.78, 0.09, 15)
    assert welch_pvalue(x, y) == pytest.approx(stats.ttest_ind(x, y, equal_var=False).pvalue)
    y = x + rng.normal(-0.01, 0.01, 20)
    assert paired_pvalue(x, y) == pytest.approx(stats.ttest_rel(x, y).pvalue)


def test_constant_nan_and_short_samples():
    ones, twos = np.ones(5), np.full(5, 2.0)
    assert welch_pvalue(ones, ones) == 1.0  # identical constants: no difference
    assert welch_pvalue(ones, twos) == 0.0  # different constants: a certain difference
    assert paired_pvalue(ones, twos) == 0.0 and paired_pvalue(ones, ones) == 1.0
    assert math.isnan(welch_pvalue(np.array([1.0, np.nan]), ones))  # one defined value
    assert math.isnan(welch_pvalue(np.full(4, np.nan), np.full(4, np.nan)))
    x = np.array([1.0, 2.0, np.nan, 3.0])
    assert welch_pvalue(x, x + 0.1) == pytest.approx(welch_pvalue(x[~np.isnan(x)], [1.1, 2.1, 3.1]))
    with pytest.raises(ValueError, match="equal size"):
        paired_pvalue(np.ones(3), np.ones(4))


def test_holm_adjusts_like_the_textbook():
    adjusted = holm([0.01, 0.04, 0.03, 0.005, np.nan])
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04; running max
    np.testing.assert_allclose(adjusted[:4], [0.03, 0.06, 0.06, 0.02])
    assert math.isnan(adjusted[4])
    assert holm([]).shape == (0,)


def _noise(rng, n=20, mean=0.8, sd=0.05):
    return rng.normal(mean, sd, n)


def test_compare_kpis_needs_significance_and_margin():
    rng = np.random.default_rng(7)
    base = {SL: _noise(rng), ASA: _noise(rng, mean=10.0, sd=0.2)}
    now = {SL: base[SL] - 0.05, ASA: base[ASA] + 0.2}  # SL -5 pt; ASA +0.2 s (< 1 s margin)
    by_key = {k.key: k for k in compare_kpis(base, now, MarginPolicy().margin, paired=True)}
    assert by_key[SL].verdict == "fail" and by_key[SL].failed
    assert by_key[SL].delta == pytest.approx(-0.05)
    assert by_key[ASA].deterministic  # every pair moved by exactly 0.2 s
    assert by_key[ASA].verdict == "within margin" and not by_key[ASA].failed


def test_compare_kpis_verdicts_for_new_missing_and_untestable_kpis():
    rng = np.random.default_rng(3)
    a, b = _noise(rng), _noise(rng)
    undefined = np.full(20, np.nan)
    base = {SL: a, ("channel", "voice", "gone"): a, ("pool", "p", "nan"): undefined}
    now = {SL: b, ("total", "all", "new"): b, ("pool", "p", "nan"): undefined}
    verdicts = {k.label: k.verdict for k in compare_kpis(base, now, MarginPolicy().margin)}
    assert verdicts == {
        "channel.voice.service_level": "ok",
        "channel.voice.gone": "missing",
        "pool.p.nan": "n/a",
        "total.all.new": "new",
    }


def test_the_family_counts_only_random_kpis():
    """Constant KPIs (no deflections, fixed staffing) do not dilute Holm's correction."""
    rng = np.random.default_rng(5)
    base = {("c", "v", f"m{i}"): _noise(rng) for i in range(3)}
    now = {("c", "v", f"m{i}"): _noise(rng) for i in range(3)}
    for i in range(10):
        base[("c", "v", f"const{i}")] = now[("c", "v", f"const{i}")] = np.zeros(20)
    rows = compare_kpis(base, now, lambda k: Margin())
    smallest = min((r for r in rows if not r.deterministic), key=lambda r: r.p_value)
    assert smallest.p_adjusted == pytest.approx(min(1.0, 3 * smallest.p_value))
    assert all(r.verdict == "ok" for r in rows)


def test_forty_noisy_kpis_alarm_without_correction_but_not_with_holm():
    """The reason for the correction: 40 KPIs at 5% each almost always alarm."""
    rng = np.random.default_rng(11)
    naive = holm_alarms = 0
    for _ in range(200):
        base = {("c", "v", f"m{i}"): _noise(rng) for i in range(40)}
        now = {("c", "v", f"m{i}"): _noise(rng) for i in range(40)}
        rows = compare_kpis(base, now, lambda k: Margin())  # no margin: statistics alone
        naive += any(r.p_value <= 0.05 for r in rows)
        holm_alarms += any(r.failed for r in rows)
    assert naive / 200 > 0.8  # 1 - 0.95**40 = 87%
    assert holm_alarms / 200 <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / 200)


# --- margins -------------------------------------------------------------------------------------


def test_margin_forms_and_resolution():
    assert parse_margin(0.005, "x") == Margin(absolute=0.005)
    assert parse_margin("10%", "x") == Margin(relative=0.1)
    assert parse_margin({"relative": 0.03, "absolute": 2}, "x") == Margin(2.0, 0.03)
    assert Margin(1.0, 0.05).resolve(100.0) == 5.0 and Margin(1.0, 0.05).resolve(4.0) == 1.0
    assert Margin(relative=0.05).resolve(float("nan")) == 0.0
    for bad in ("fast", -1, True, {"relativ": 1}, [1], "-5%"):
        with pytest.raises(MarginsError, match="x"):
            parse_margin(bad, "x")


def test_default_margins_by_kind():
    policy = MarginPolicy()
    assert policy.margin(SL) == Margin(absolute=0.01)
    assert policy.margin(ASA) == Margin(absolute=1.0, relative=0.05)
    assert policy.margin(("total", "all", "cost")) == Margin(relative=0.01)
    assert policy.margin(("channel", "voice", "offered")) == Margin(absolute=1.0, relative=0.02)
    assert policy.margin(("pool", "phone", "occupancy")) == Margin(absolute=0.01)
    # KPIs ccsim adds later get a margin by their name
    assert metric_kind("transfer_rate") == "ratio" and metric_kind("hold_time") == "time"
    assert metric_kind("training_cost") == "cost" and metric_kind("widgets") == "other"


def test_margins_file_overrides_most_specific_first(tmp_path):
    (tmp_path / "regression.yaml").write_text(
        "margins:\n"
        "  service_level: 0.02\n"
        "  channel.voice.asa: 10%\n"
        "scenarios:\n"
        "  voice_day:\n"
        "    margins: {channel.voice.service_level: 0.03}\n"
    )
    policy = margins_for_folder(tmp_path)
    assert policy.margin(SL, "voice_day") == Margin(absolute=0.03)
    assert policy.margin(SL, "other") == Margin(absolute=0.02)
    assert policy.margin(("channel", "chat", "service_level")) == Margin(absolute=0.02)
    assert policy.margin(ASA) == Margin(relative=0.1)
    assert margins_for_folder(tmp_path / "none") == MarginPolicy()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("margin: {}\n", "unknown key 'margin'; allowed: margins, scenarios"),
        ("margins: {asa: fast}\n", "margins.asa: expected a number"),
        ("margins: [1]\n", "margins: expected a mapping"),
        ("scenarios: {v: {margin: {}}}\n", "scenarios.v: unknown key 'margin'"),
        ("margins: {asa: [\n", "cannot read margins"),
    ],
)
def test_bad_margins_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(MarginsError, match=message.replace("[", r"\[")) as err:
        load_margins(path)
    assert str(path) in str(err.value)
    with pytest.raises(MarginsError, match="no such margins file"):
        load_margins(tmp_path / "missing.yaml")


# --- baselines and digests -----------------------------------------------------------------------


def _baseline(path) -> Baseline:
    values = {SL: np.array([0.8, 0.81, 0.1 + 0.2]), ("pool", "p", "x"): np.array([1.0, np.nan, 2])}
    return Baseline(
        scenario_name="s",
        scenario_path="../s.yaml",
        scenario_sha256="ab" * 32,
        source_sha256="ef" * 32,
        seed=3,
        replications=3,
        ccsim_version="0.1.0",
        digest=RecordDigest("cd" * 32, 0, 10, ("id", "arrival")),
        values=values,
        path=path,
        software={"numpy": "2.0.0", "simpy": "4.1.1"},
    )


def test_baseline_round_trips_bit_for_bit(tmp_path):
    path = write_baseline(_baseline(tmp_path / "b" / "s.json"))
    back = read_baseline(path)
    assert back.scenario_name == "s" and back.seed == 3 and back.digest.columns == ("id", "arrival")
    for key, values in _baseline(path).values.items():
        np.testing.assert_array_equal(
            back.values[key], values
        )  # 0.1 + 0.2 stays 0.30000000000000004
    assert back.scenario_file() == tmp_path / "s.yaml"
    data = json.loads(path.read_text())
    assert data["format"] == 1 and data["kpis"][0]["ci95"][0] < data["kpis"][0]["mean"]
    kpi_lines = [line for line in path.read_text().splitlines() if '"metric"' in line]
    assert len(kpi_lines) == len(data["kpis"]) == 2  # one line per KPI: readable diffs
    assert write_baseline(back).read_bytes() == path.read_bytes()
    assert back.software == {"numpy": "2.0.0", "simpy": "4.1.1"}
    data.pop("software")  # written by an earlier ccsim: still read
    path.write_text(json.dumps(data))
    assert read_baseline(path).software == {}


def test_software_versions_and_what_differs():
    now = software_versions()
    assert now["numpy"] == np.__version__ and now["python"] == platform.python_version()
    assert set(now) == {"python", "numpy", "scipy", "simpy"}
    then = {**now, "numpy": "1.0", "scipy": "0.1", "python": "2.7"}
    assert software_differences(then, now) == [f"numpy 1.0 → {now['numpy']}"]
    assert software_differences({}, now) == []  # nothing recorded: nothing to say
    assert software_differences(now, now) == []


def _bad(tmp_path, edit=None, text=None) -> str:
    """Write a good baseline, spoil it by *edit* (of its data) or replace it by *text*, read it."""
    path = write_baseline(_baseline(tmp_path / "s.json"))
    data = json.loads(path.read_text())
    if edit is not None:
        edit(data)
    path.write_text(text if text is not None else json.dumps(data))
    with pytest.raises(BaselineError) as err:
        read_baseline(path)
    assert isinstance(err.value, CcsimError) and str(path) in str(err.value)
    return str(err.value)


def test_bad_baselines_are_clear_errors(tmp_path):
    assert "corrupt JSON" in _bad(tmp_path, text='{"format": 1,')
    assert "not a ccsim baseline" in _bad(tmp_path, text="[1, 2]")
    assert "not a ccsim baseline" in _bad(tmp_path, lambda d: d.pop("kind"))
    assert "newer than" in _bad(tmp_path, lambda d: d.update(format=2))
    assert "upgrade ccsim" in _bad(tmp_path, lambda d: d.update(format=2))
    assert "is not the format" in _bad(tmp_path, lambda d: d.update(format="one"))
    assert "written by ccsim 9.0.0, newer" in _bad(
        tmp_path, lambda d: d.update(ccsim_version="9.0.0")
    )
    assert "seed: missing" in _bad(tmp_path, lambda d: d.pop("seed"))
    assert "kpis[0]: values" in _bad(tmp_path, lambda d: d["kpis"][0]["values"].pop())
    assert "software: expected a mapping" in _bad(tmp_path, lambda d: d.update(software=[1]))
    assert "software: expected a mapping" in _bad(
        tmp_path, lambda d: d.update(software={"numpy": 2})
    )
    with pytest.raises(BaselineError, match="no such baseline file"):
        read_baseline(tmp_path / "nothing.json")


def _contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(4, dtype=np.int64),
            "channel": pd.Categorical(["voice", "chat", "voice", "voice"]),
            "arrival": [0.5, 1.25, 2.0, 3.0],
            "answer": [0.5, np.nan, 2.5, 3.0],
            "pool": pd.Categorical(["a", None, "b", "a"]),
            "agent": np.array([0, -1, 1, 0], dtype=np.int32),
        }
    )


def test_contacts_digest_is_canonical():
    frame = _contacts()
    digest = contacts_digest(frame)
    assert digest == contacts_digest(frame[frame.columns[::-1]])  # column order of the frame
    assert digest == contacts_digest(frame.assign(extra=1.0))  # a column ccsim adds later
    recoded = frame.assign(channel=frame.channel.cat.reorder_categories(["voice", "chat"]))
    assert digest == contacts_digest(recoded)  # labels, not category codes
    nudged = frame.copy()
    nudged.loc[2, "arrival"] = np.nextafter(2.0, 3.0)  # one ulp
    assert digest != contacts_digest(nudged)
    assert digest != contacts_digest(frame.iloc[:3])
