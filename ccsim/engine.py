"""Run one replication of a scenario: build, run, collect (design.md section 2, layer 3).

:func:`run_replication` is the one run function every experiment goes through.
It returns the replication's KPIs and tables, small enough to send back from a
worker process, and optionally its contact records.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from ccsim.analysis.intervals import channel_intervals, pool_intervals
from ccsim.analysis.journeys import flows, issues_of
from ccsim.analysis.kpis import replication_kpis
from ccsim.analysis.tables import contacts_frame
from ccsim.model import build
from ccsim.records import RunRecords
from ccsim.rng import RandomStreams
from ccsim.scenario.schema import Scenario

__all__ = ["ReplicationResult", "run_records", "run_replication"]


@dataclass(slots=True)
class ReplicationResult:
    """What one replication produced.

    Attributes
    ----------
    replication
        Replication number (0-based).
    kpis
        KPI values keyed by ``(scope, name, metric)``.
    intervals, pool_intervals
        Per-interval KPIs by channel and by pool.
    flows
        Channel-to-channel flow counts of the journeys (``source, target, count``).
    contacts
        One row per contact, or None when not kept.
    n_contacts
        Number of contacts simulated.
    sim_seconds
        Wall time of the event loop [s].
    wall_seconds
        Wall time of build, run and collect [s].
    """

    replication: int
    kpis: dict[tuple[str, str, str], float]
    intervals: pd.DataFrame
    pool_intervals: pd.DataFrame
    flows: pd.DataFrame
    contacts: pd.DataFrame | None
    n_contacts: int
    sim_seconds: float
    wall_seconds: float
    meta: dict[str, object] = field(default_factory=dict)


def run_records(scenario: Scenario, seed: int, replication: int = 0) -> tuple[RunRecords, float]:
    """Build and run one replication; return its records and the event-loop time [s]."""
    model = build(scenario, RandomStreams(seed, replication))
    t0 = time.perf_counter()
    records = model.run()
    return records, time.perf_counter() - t0


def run_replication(
    scenario: Scenario, seed: int, replication: int = 0, *, keep_contacts: bool = False
) -> ReplicationResult:
    """Simulate replication *replication* of *scenario* with root seed *seed*.

    The result depends only on ``(scenario, seed, replication)``: the same inputs
    give bit-identical results in any process.
    """
    t0 = time.perf_counter()
    records, sim_seconds = run_records(scenario, seed, replication)
    issues = issues_of(records)
    return ReplicationResult(
        replication=replication,
        kpis=replication_kpis(records, scenario, issues),
        intervals=channel_intervals(records, scenario),
        pool_intervals=pool_intervals(records, scenario),
        flows=flows(records, issues),
        contacts=contacts_frame(records) if keep_contacts else None,
        n_contacts=records.n_contacts,
        sim_seconds=sim_seconds,
        wall_seconds=time.perf_counter() - t0,
    )
