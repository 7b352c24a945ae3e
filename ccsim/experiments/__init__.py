"""Experiments: replications, comparisons, sweeps, executors and results."""

from ccsim.experiments.compare import CompareResult, compare
from ccsim.experiments.executors import (
    ClusterExecutor,
    InlineExecutor,
    dask_executor,
    make_executor,
)
from ccsim.experiments.optimize import OptimizationResult, Targets, optimize
from ccsim.experiments.precision import PrecisionRule
from ccsim.experiments.result import SimulationResult
from ccsim.experiments.runner import simulate
from ccsim.experiments.store import PointStore
from ccsim.experiments.sweep import SweepResult, sweep

__all__ = [
    "ClusterExecutor",
    "CompareResult",
    "InlineExecutor",
    "OptimizationResult",
    "PointStore",
    "PrecisionRule",
    "SimulationResult",
    "SweepResult",
    "Targets",
    "compare",
    "dask_executor",
    "make_executor",
    "optimize",
    "simulate",
    "sweep",
]
