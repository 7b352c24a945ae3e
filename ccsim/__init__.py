"""ccsim: discrete-event simulation of omnichannel contact centres.

The public API:

>>> import ccsim
>>> sc = ccsim.load_scenario("scenarios/voice_chat_blended.yaml")  # doctest: +SKIP
>>> res = ccsim.simulate(sc, replications=20, seed=1)  # doctest: +SKIP
>>> res.summary()  # doctest: +SKIP
"""

from ccsim._version import __version__
from ccsim.analysis import erlang
from ccsim.errors import CcsimError, ScenarioError, SimulationError
from ccsim.experiments import SimulationResult, simulate
from ccsim.scenario import (
    Scenario,
    dump_scenario,
    json_schema,
    load_scenario,
    scenario_from_dict,
    scenario_hash,
    with_overrides,
)

__all__ = [
    "CcsimError",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "SimulationResult",
    "__version__",
    "dump_scenario",
    "erlang",
    "json_schema",
    "load_scenario",
    "scenario_from_dict",
    "scenario_hash",
    "simulate",
    "with_overrides",
]
