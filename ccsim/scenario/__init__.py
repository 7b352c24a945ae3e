"""Scenario files: the v1 schema, loading with positions, overrides, presets and hashing."""

from ccsim.scenario.loader import (
    dump_scenario,
    json_schema,
    load_scenario,
    parse_override,
    scenario_from_dict,
    scenario_hash,
    with_overrides,
)
from ccsim.scenario.schema import (
    Arrivals,
    Channel,
    Costs,
    Horizon,
    Pool,
    Routing,
    Scenario,
    ServiceLevel,
)

__all__ = [
    "Arrivals",
    "Channel",
    "Costs",
    "Horizon",
    "Pool",
    "Routing",
    "Scenario",
    "ServiceLevel",
    "dump_scenario",
    "json_schema",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
    "scenario_hash",
    "with_overrides",
]
