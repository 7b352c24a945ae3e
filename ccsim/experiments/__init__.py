"""Experiments: replications, executors and results."""

from ccsim.experiments.executors import InlineExecutor, make_executor
from ccsim.experiments.result import SimulationResult
from ccsim.experiments.runner import simulate

__all__ = ["InlineExecutor", "SimulationResult", "make_executor", "simulate"]
