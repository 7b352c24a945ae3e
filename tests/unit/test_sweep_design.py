"""Sweep designs: grids parsed, combined and checked before any simulation starts."""

import pytest

from ccsim.errors import ScenarioError
from ccsim.experiments import design
from ccsim.experiments.design import (
    DesignError,
    expand_grid,
    load_design,
    parse_grid,
    parse_values,
    point_label,
    sweep_points,
)
from ccsim.scenario import scenario_from_dict
from tests.conftest import tiny


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("20:26:2", [20, 22, 24, 26]),
        ("20:25:2", [20, 22, 24]),
        ("0.1:0.3:0.1", [0.1, 0.2, 0.3]),  # exact in decimal, no 0.30000000000000004
        ("5:5:1", [5]),
        ("12,14,16", [12, 14, 16]),
        ("5min, 90s", ["5min", "90s"]),
        ("[10, 12], [14, 16]", [[10, 12], [14, 16]]),
        ("longest_idle", ["longest_idle"]),
        ("'10:30'", ["10:30"]),  # a quoted time of day
    ],
)
def test_values_are_ranges_or_yaml_lists(text, values):
    assert parse_values(text) == values


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30:20:2", "empty"),
        ("1:5:0", "step .* must be positive"),
        ("", "no values"),
        ("[1, 2", "cannot read"),
        ("10:16", "not a range: give a step \\(10:16:1\\)"),  # YAML 1.1 would read 616
    ],
)
def test_bad_values_say_what_is_wrong(text, message):
    with pytest.raises(DesignError, match=message):
        parse_values(text)


def test_grid_options_need_path_equals_values_once_each():
    assert parse_grid(["pools.phone.agents=2:4:1"]) == {"pools.phone.agents": [2, 3, 4]}
    for bad in (["pools.phone.agents"], ["=1,2"], ["pools.phone.agents="]):
        with pytest.raises(DesignError, match="expected PATH=a:b:step"):
            parse_grid(bad)
    with pytest.raises(DesignError, match="given twice"):
        parse_grid(["a.b=1", "a.b=2"])


def test_product_varies_the_last_path_fastest_and_list_zips():
    grid = {"a": [1, 2], "b": ["x", "y"]}
    assert expand_grid(grid) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    assert expand_grid(grid, "list") == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    with pytest.raises(DesignError, match="equal length"):
        expand_grid({"a": [1, 2], "b": [1]}, "list")
    with pytest.raises(DesignError, match="grid is empty"):
        expand_grid({})
    with pytest.raises(DesignError, match="same point more than once"):
        expand_grid({"a": [1, 1]})


def test_design_file_holds_the_grid_and_how_to_combine_it(tmp_path):
    path = tmp_path / "design.yaml"
    path.write_text("grid:\n  pools.phone.agents: 2:4:1\n  routing.live_reserve: [0, 1, 2]\n"
                    "combine: list\n")  # fmt: skip
    assert load_design(path) == (
        {"pools.phone.agents": [2, 3, 4], "routing.live_reserve": [0, 1, 2]},
        "list",
    )
    path.write_text("grid: {a: []}\n")
    with pytest.raises(DesignError, match="non-empty list"):
        load_design(path)
    path.write_text("points: []\n")
    with pytest.raises(DesignError, match="needs a mapping 'grid"):
        load_design(path)


def test_labels_are_short_but_unambiguous():
    assert point_label({"pools.phone.agents": 24, "pools.chat.agents": 8}) == (
        "phone.agents=24, chat.agents=8"
    )
    assert point_label({"pools.specialists.shrinkage": 0.25}) == "specialists.shrinkage=0.25"
    assert point_label({"a.x.agents": 1, "b.x.agents": 2}) == "a.x.agents=1, b.x.agents=2"


def _no_simulation(*args, **kwargs):
    raise AssertionError("a simulation started before the design was checked")


def test_bad_paths_and_values_are_named_before_any_simulation(monkeypatch):
    monkeypatch.setattr("ccsim.experiments.points.run_chunk", _no_simulation)
    base = scenario_from_dict(tiny())
    points = expand_grid({"pools.phon.agents": [2, 3]})
    with pytest.raises(ScenarioError) as info:
        sweep_points(base, points)
    (item,) = info.value.items  # one message for the path, not one per value
    assert item.file == "--grid pools.phon.agents" and "did you mean 'phone'" in item.message
    with pytest.raises(ScenarioError) as info:
        sweep_points(base, expand_grid({"pools.phone.agents": [2, -1, "x"]}))
    assert [i.file for i in info.value.items] == [
        "--grid pools.phone.agents=-1",
        "--grid pools.phone.agents=x",
    ]
    assert all(i.path == "pools.phone.agents" for i in info.value.items)


def test_points_are_validated_scenarios_with_stable_keys():
    base = scenario_from_dict(tiny())
    points = sweep_points(base, expand_grid({"pools.phone.agents": [2, 3]}))
    assert [p.scenario.pools["phone"].agents for p in points] == [2, 3]
    assert [p.label for p in points] == ["phone.agents=2", "phone.agents=3"]
    again = sweep_points(base, expand_grid({"pools.phone.agents": [2, 3]}))
    assert [p.key for p in points] == [p.key for p in again]
    assert design.MAX_POINTS >= 10_000
