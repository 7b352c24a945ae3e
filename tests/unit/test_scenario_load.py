import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ccsim.errors import ScenarioError
from ccsim.scenario import (
    dump_scenario,
    json_schema,
    load_scenario,
    scenario_from_dict,
    scenario_hash,
    with_overrides,
)
from tests.conftest import ROOT, SCENARIOS, tiny

BUNDLED = sorted(p for p in SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenarios_load_and_round_trip(path):
    sc = load_scenario(path)
    again = scenario_from_dict(yaml.safe_load(dump_scenario(sc)))
    assert again == sc
    assert scenario_hash(again) == scenario_hash(sc)


def test_units_are_normalised_to_seconds_and_per_hour():
    sc = scenario_from_dict(tiny())
    voice = sc.channels["voice"]
    assert voice.arrivals.rate == 60.0
    assert voice.handle_time.mean == 180.0
    assert sc.horizon.open == 8 * 3600 and sc.horizon.interval == 1800
    assert sc.pools["phone"].skills == {"voice": 1}


def test_defaults_are_filled_in_the_resolved_yaml():
    text = dump_scenario(scenario_from_dict(tiny()))
    data = yaml.safe_load(text)
    assert data["routing"]["agent_selection"] == "longest_idle"
    assert data["routing"]["chat_assignment"] == "fill"
    assert data["channels"]["voice"]["service_level"] == {"target": 0.8, "within": 20.0}
    assert data["horizon"]["open"] == "08:00"


def test_hash_ignores_comments_key_order_units_and_run_settings(write_yaml):
    a = write_yaml(
        """name: a
horizon: {days: 1, open: "08:00", close: "10:00", interval: 30min}
channels:
  voice: {arrivals: {rate: 60/h}, handle_time: {dist: exponential, mean: 3min}}
pools:
  phone: {skills: [voice], agents: 3}
""",
        "a.yaml",
    )
    b = write_yaml(
        """# the same centre, written differently
pools:
  phone: {agents: 3, skills: [voice]}   # reordered keys
seed: 99
replications: 4
name: b
channels:
  voice: {handle_time: {mean: 180, dist: exponential}, arrivals: {rate: 1/min}}
horizon: {interval: 1800, close: "10:00", open: "08:00", days: 1}
""",
        "b.yaml",
    )
    assert scenario_hash(load_scenario(a)) == scenario_hash(load_scenario(b))
    c = load_scenario(a, ["pools.phone.agents=4"])
    assert scenario_hash(c) != scenario_hash(load_scenario(a))


def test_extends_merges_mappings_and_child_wins(write_yaml):
    write_yaml(
        """name: base
horizon: {days: 1, open: "08:00", close: "10:00", interval: 30min}
channels:
  voice: {arrivals: {rate: 60/h}, handle_time: 3min}
pools:
  phone: {skills: [voice], agents: 3, cost_per_hour: 30}
""",
        "base.yaml",
    )
    child = write_yaml(
        """extends: base.yaml
name: child
pools:
  phone: {agents: 5}
""",
        "child.yaml",
    )
    sc = load_scenario(child)
    assert sc.name == "child"
    assert sc.pools["phone"].agents == 5
    assert sc.pools["phone"].cost_per_hour == 30  # kept from the base


def test_overrides_are_revalidated_and_can_set_default_sections():
    sc = scenario_from_dict(tiny())
    bigger = with_overrides(sc, {"pools.phone.agents": 5, "routing.chat_assignment": "spread"})
    assert bigger.pools["phone"].agents == 5
    assert bigger.routing.chat_assignment == "spread"
    with pytest.raises(ScenarioError, match="greater than or equal to 1"):
        with_overrides(sc, {"pools.phone.agents": 0})


def test_override_values_are_read_as_yaml(write_yaml):
    path = write_yaml(yaml.safe_dump(tiny()))
    sc = load_scenario(path, ["pools.phone.agents=[1, 2, 3, 4]", "channels.voice.handle_time=4min"])
    assert sc.pools["phone"].agents == [1, 2, 3, 4]
    assert sc.channels["voice"].handle_time.mean == 240


def test_arrivals_from_csv_become_per_interval(write_yaml, tmp_path):
    (tmp_path / "rates.csv").write_text("interval,voice\n08:00,10\n08:30,20\n09:00,30\n09:30,40\n")
    data = tiny()
    data["channels"]["voice"]["arrivals"] = {"file": "rates.csv"}
    sc = load_scenario(write_yaml(yaml.safe_dump(data)))
    assert sc.channels["voice"].arrivals.per_interval == [10, 20, 30, 40]
    assert "file" not in yaml.safe_load(dump_scenario(sc))["channels"]["voice"]["arrivals"]


def test_daily_volume_and_pattern_give_rates_per_hour():
    data = tiny()
    data["channels"]["voice"]["arrivals"] = {"daily_volume": 100, "pattern": [1, 1, 2, 0]}
    sc = scenario_from_dict(data)
    rates = sc.channels["voice"].arrivals.base_rates(sc.calendar)
    # 100 contacts over the day, weights 1:1:2:0 over half-hour intervals.
    assert rates.tolist() == [50.0, 50.0, 100.0, 0.0]
    assert (rates * 0.5).sum() == pytest.approx(100)


def test_shipped_json_schema_is_up_to_date_and_accepts_bundled_files():
    shipped = json.loads((ROOT / "ccsim" / "schema" / "scenario.schema.json").read_text())
    assert shipped == json_schema(), (
        "regenerate with: ccsim schema --out ccsim/schema/scenario.schema.json"
    )
    jsonschema.Draft202012Validator.check_schema(shipped)
    validator = jsonschema.Draft202012Validator(shipped)
    for path in [*BUNDLED, *SCENARIOS.glob("base/*.yaml")]:
        errors = list(validator.iter_errors(yaml.safe_load(Path(path).read_text())))
        assert not errors, f"{path.name}: {errors[0].message}"
    bad = yaml.safe_load("channels: {voice: {handle_time: 3min, arrivals: {rate: 5}, typo: 1}}")
    assert list(validator.iter_errors(bad)), "the schema must flag unknown keys for editors"
