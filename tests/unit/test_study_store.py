"""The point store: one atomic file per finished point, a design that must match to resume."""

import json
import math

import pytest

from ccsim.experiments.store import PointStore, StoreMismatch, point_key

IDENTITY = {"kind": "sweep", "scenario_sha256": "abc", "seed": 7, "points": ["k1", "k2"]}


def test_point_key_is_stable_and_ignores_key_order():
    a = point_key({"pools.phone.agents": 3, "routing.live_reserve": 1})
    b = point_key({"routing.live_reserve": 1, "pools.phone.agents": 3})
    assert a == b and len(a) == 16
    assert point_key({"pools.phone.agents": 4, "routing.live_reserve": 1}) != a


def test_records_round_trip_bit_identical_with_nan_as_null(tmp_path):
    store = PointStore.open(tmp_path / "study", IDENTITY, {"command": "ccsim sweep ..."})
    value = 0.1 + 0.2  # 0.30000000000000004: must come back exactly
    store.write({"key": "k1", "status": "ok", "values": [value, math.nan, 1e-300]})
    record = store.read("k1")
    assert record["values"][0] == value and record["values"][1] is None
    assert record["values"][2] == 1e-300
    assert store.keys() == ["k1"] and set(store.records()) == {"k1"}
    assert store.read("k2") is None
    design = json.loads((tmp_path / "study" / "design.json").read_text())
    assert design["identity"] == IDENTITY and design["info"]["command"].startswith("ccsim")


def test_reopening_with_the_same_identity_resumes(tmp_path):
    PointStore.open(tmp_path, IDENTITY).write({"key": "k1", "status": "ok"})
    again = PointStore.open(tmp_path, dict(IDENTITY), {"command": "other info is not compared"})
    assert again.keys() == ["k1"]


def test_another_study_in_the_folder_is_refused_naming_what_differs(tmp_path):
    PointStore.open(tmp_path, IDENTITY)
    with pytest.raises(StoreMismatch, match=r"seed: 7 there, 8 now.*another output folder"):
        PointStore.open(tmp_path, {**IDENTITY, "seed": 8})
    with pytest.raises(StoreMismatch, match="points differs"):
        PointStore.open(tmp_path, {**IDENTITY, "points": ["k1"]})


def test_unreadable_or_foreign_point_files_count_as_missing(tmp_path):
    store = PointStore.open(tmp_path, IDENTITY)
    (tmp_path / "points" / "k1.json").write_text("{not json")
    (tmp_path / "points" / "k2.json").write_text('{"key": "other", "status": "ok"}')
    assert store.read("k1") is None and store.read("k2") is None
    assert store.records() == {}


def test_a_record_needs_key_and_status(tmp_path):
    with pytest.raises(ValueError, match="key"):
        PointStore.open(tmp_path, IDENTITY).write({"status": "ok"})


def test_a_folder_that_is_not_a_study_is_refused(tmp_path):
    (tmp_path / "design.json").write_text("[]")
    with pytest.raises(StoreMismatch, match="not a ccsim study"):
        PointStore.open(tmp_path, IDENTITY)
