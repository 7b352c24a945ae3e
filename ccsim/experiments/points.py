"""Points of a study and what they produced: per-replication KPIs, summaries, point files.

A comparison, a sweep and the optimiser all evaluate *points*: a scenario (a
variant of a base one), simulated over replications ``0 .. n-1`` of one root
seed, the same for every point (common random numbers). :class:`PointResult`
holds a point's per-replication KPIs (or why it failed) and converts to and from
the JSON point file of :class:`~ccsim.experiments.store.PointStore`.
:func:`run_point_chunk` is the unit of work sent to a worker; the engine that
runs points is :mod:`ccsim.experiments.study`.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ccsim.analysis.stats import estimate
from ccsim.engine import ReplicationResult
from ccsim.experiments.runner import run_chunk
from ccsim.scenario.loader import scenario_hash
from ccsim.scenario.schema import Scenario

__all__ = [
    "KPI_COLUMNS",
    "SUMMARY_COLUMNS",
    "ChunkOutcome",
    "Point",
    "PointResult",
    "has_journeys",
    "key_kpis",
    "kpi_frame",
    "kpi_matrix",
    "run_point_chunk",
    "summarize",
]

POINT_FORMAT = "ccsim.point/1"
KPI_COLUMNS = ["replication", "scope", "name", "metric", "value"]
SUMMARY_COLUMNS = ["scope", "name", "metric", "mean", "ci_low", "ci_high", "n"]
_EMPTY = pd.DataFrame()


@dataclass(frozen=True, slots=True)
class Point:
    """One scenario variant of a study.

    Attributes
    ----------
    key
        Stable identity (file name in the store), e.g. a hash of the overrides.
    label
        Short human name, e.g. ``phone.agents=24``.
    scenario
        The validated scenario to simulate.
    factors
        The overrides that made it from the base scenario (empty in a comparison).
    """

    key: str
    label: str
    scenario: Scenario
    factors: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class PointResult:
    """What one point produced: per-replication KPIs, or why it failed.

    Attributes
    ----------
    status
        ``"ok"`` or ``"failed"``.
    kpis
        ``replication, scope, name, metric, value`` (empty when failed).
    error, traceback
        Why it failed (None when ok).
    saved
        Whether this outcome is in the store (a failure of the infrastructure is
        not, so that the point runs again next time).
    """

    key: str
    label: str
    factors: dict[str, Any]
    status: str
    kpis: pd.DataFrame
    error: str | None = None
    traceback: str | None = None
    saved: bool = False
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the point finished without error."""
        return self.status == "ok"

    @property
    def replications(self) -> int:
        """Number of replications in :attr:`kpis`."""
        return int(self.kpis["replication"].nunique()) if len(self.kpis) else 0

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Mean and Student-t CI per KPI: ``scope, name, metric, mean, ci_low, ci_high, n``."""
        return summarize(self.kpis, level)

    def to_record(self, point: Point, seed: int) -> dict[str, Any]:
        """The JSON-ready point file: identity, status, per-replication KPIs and summary."""
        keys, reps, values = kpi_matrix(self.kpis)
        kpis = [[*key, [float(v) for v in row]] for key, row in zip(keys, values, strict=True)]
        return {
            "format": POINT_FORMAT,
            "key": self.key,
            "label": self.label,
            "factors": self.factors,
            "scenario": point.scenario.name,
            "scenario_sha256": scenario_hash(point.scenario),
            "seed": seed,
            "status": self.status,
            "error": self.error,
            "traceback": self.traceback,
            "replications": len(reps),
            "replication_numbers": reps,
            "summary": [list(row) for row in self.summary().itertuples(index=False)],
            "kpis": kpis,
            "provenance": self.provenance,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PointResult:
        """Rebuild a result from its point file (floats come back bit-identical)."""
        reps = record.get("replication_numbers") or []
        rows = [
            (rep, scope, name, metric, np.nan if v is None else float(v))
            for scope, name, metric, values in record.get("kpis") or []
            for rep, v in zip(reps, values, strict=True)
        ]
        frame = pd.DataFrame(rows, columns=KPI_COLUMNS).sort_values(
            "replication", kind="stable", ignore_index=True
        )
        return cls(
            key=record["key"],
            label=record.get("label", record["key"]),
            factors=dict(record.get("factors") or {}),
            status=record["status"],
            kpis=frame,
            error=record.get("error"),
            traceback=record.get("traceback"),
            saved=True,
            provenance=dict(record.get("provenance") or {}),
        )


@dataclass(slots=True)
class ChunkOutcome:
    """What a task returns: its replications, or the error that stopped them."""

    runs: list[ReplicationResult]
    error: str | None = None
    traceback: str | None = None


def run_point_chunk(
    scenario: Scenario,
    seed: int,
    replications: Sequence[int],
    keep_contacts: Sequence[bool],
    detail: bool,
) -> ChunkOutcome:
    """Run some replications of one point (the unit of work sent to a worker).

    An exception raised by the simulation is returned, with its traceback, as a
    failed outcome: it belongs to the point, and the study goes on. Without
    *detail* only the KPIs come back (no per-interval tables).
    """
    try:
        runs = run_chunk(scenario, seed, replications, keep_contacts)
    except Exception as exc:
        return ChunkOutcome([], f"{type(exc).__name__}: {exc}", traceback.format_exc())
    if not detail:
        runs = [
            replace(r, intervals=_EMPTY, pool_intervals=_EMPTY, flows=_EMPTY, contacts=None)
            for r in runs
        ]
    return ChunkOutcome(runs)


def kpi_frame(runs: Iterable[ReplicationResult]) -> pd.DataFrame:
    """Per-replication KPIs of *runs*, in replication order."""
    rows = [
        (run.replication, scope, name, metric, value)
        for run in sorted(runs, key=lambda r: r.replication)
        for (scope, name, metric), value in run.kpis.items()
    ]
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


def kpi_matrix(kpis: pd.DataFrame) -> tuple[list[tuple[str, str, str]], list[int], np.ndarray]:
    """A long KPI table as (KPI keys in first-seen order, replications sorted, values).

    ``values[i, j]`` is KPI *i* in replication *j* (NaN where missing).
    """
    reps = sorted({int(r) for r in kpis["replication"].tolist()})
    col = {r: j for j, r in enumerate(reps)}
    rows: dict[tuple[str, str, str], int] = {}
    cells = []
    for rep, scope, name, metric, value in zip(
        *(kpis[c].tolist() for c in KPI_COLUMNS), strict=True
    ):
        i = rows.setdefault((scope, name, metric), len(rows))
        cells.append((i, col[int(rep)], value))
    values = np.full((len(rows), len(reps)), np.nan)
    for i, j, v in cells:
        values[i, j] = v
    return list(rows), reps, values


def summarize(kpis: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and Student-t CI over replications of each KPI in a long KPI table."""
    keys, _, values = kpi_matrix(kpis)
    rows = []
    for key, row in zip(keys, values, strict=True):
        est = estimate(row, level)
        rows.append((*key, est.mean, est.low, est.high, est.n))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def key_kpis(scenario: Scenario) -> list[tuple[str, str, str]]:
    """The KPIs a planner reads first, as ``(scope, name, metric)``.

    Every channel's service level, ASA and abandon rate; every pool's occupancy;
    the whole centre's service level, abandon rate, cost and cost per contact;
    and, when the scenario has journeys or self-service, first-contact resolution
    and contacts per issue.
    """
    out = [
        ("channel", ch, metric)
        for ch in scenario.channels
        for metric in ("service_level", "asa", "abandon_rate")
    ]
    out += [("pool", pool, "occupancy") for pool in scenario.pools]
    out += [
        ("total", "all", m) for m in ("service_level", "abandon_rate", "cost", "cost_per_contact")
    ]
    if has_journeys(scenario):
        out += [("journey", "all", m) for m in ("first_contact_resolution", "contacts_per_issue")]
    return out


def has_journeys(scenario: Scenario) -> bool:
    """Whether issue-level (journey) KPIs say more than the channel KPIs."""
    j = scenario.journeys
    return bool(scenario.self_service or j.active or j.context_loss.handle_factor != 1.0)
