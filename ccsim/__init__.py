"""ccsim: discrete-event simulation of omnichannel contact centres.

The public API:

>>> import ccsim
>>> sc = ccsim.load_scenario("scenarios/voice_chat_blended.yaml")  # doctest: +SKIP
>>> res = ccsim.simulate(sc, replications=20, seed=1)  # doctest: +SKIP
>>> res.summary()  # doctest: +SKIP

Names are imported on first use, so ``import ccsim`` (and the pytest plugin,
which every pytest session in an environment with ccsim loads) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ccsim._version import __version__

_WHERE = {
    "erlang": ("ccsim.analysis", "erlang"),
    "CcsimError": ("ccsim.errors", "CcsimError"),
    "ScenarioError": ("ccsim.errors", "ScenarioError"),
    "SimulationError": ("ccsim.errors", "SimulationError"),
    "CompareResult": ("ccsim.experiments", "CompareResult"),
    "SimulationResult": ("ccsim.experiments", "SimulationResult"),
    "SweepResult": ("ccsim.experiments", "SweepResult"),
    "compare": ("ccsim.experiments", "compare"),
    "dask_executor": ("ccsim.experiments", "dask_executor"),
    "optimize": ("ccsim.experiments", "optimize"),
    "simulate": ("ccsim.experiments", "simulate"),
    "sweep": ("ccsim.experiments", "sweep"),
    "Scenario": ("ccsim.scenario", "Scenario"),
    "dump_scenario": ("ccsim.scenario", "dump_scenario"),
    "json_schema": ("ccsim.scenario", "json_schema"),
    "load_scenario": ("ccsim.scenario", "load_scenario"),
    "scenario_from_dict": ("ccsim.scenario", "scenario_from_dict"),
    "scenario_hash": ("ccsim.scenario", "scenario_hash"),
    "with_overrides": ("ccsim.scenario", "with_overrides"),
}

__all__ = [
    "CcsimError",
    "CompareResult",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "SimulationResult",
    "SweepResult",
    "__version__",
    "compare",
    "dask_executor",
    "dump_scenario",
    "erlang",
    "json_schema",
    "load_scenario",
    "optimize",
    "scenario_from_dict",
    "scenario_hash",
    "simulate",
    "sweep",
    "with_overrides",
]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'ccsim' has no attribute {name!r}") from None
    parent = importlib.import_module(module)
    try:
        value = getattr(parent, attr)
    except AttributeError:  # a submodule (ccsim.erlang) is an attribute only once imported
        value = importlib.import_module(f"{module}.{attr}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


if TYPE_CHECKING:  # static type checkers see the real names
    from ccsim.analysis import erlang
    from ccsim.errors import CcsimError, ScenarioError, SimulationError
    from ccsim.experiments import (
        CompareResult,
        SimulationResult,
        SweepResult,
        compare,
        dask_executor,
        optimize,
        simulate,
        sweep,
    )
    from ccsim.scenario import (
        Scenario,
        dump_scenario,
        json_schema,
        load_scenario,
        scenario_from_dict,
        scenario_hash,
        with_overrides,
    )
