"""The simulation model: the only package that imports SimPy.

It turns a validated scenario into records of what happened; it computes no KPIs.
"""

from ccsim.model.build import Model, build
from ccsim.model.routing import AGENT_SELECTION, register_agent_selection

__all__ = ["AGENT_SELECTION", "Model", "build", "register_agent_selection"]
