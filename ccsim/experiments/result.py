"""The result of simulating a scenario: tidy tables, summaries with CIs, saved files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from ccsim._version import __version__
from ccsim.analysis.stats import estimate
from ccsim.engine import ReplicationResult
from ccsim.experiments.output import write_json, write_parquet, write_text
from ccsim.scenario.loader import dump_scenario, scenario_hash
from ccsim.scenario.schema import Scenario

__all__ = ["SimulationResult"]

_SCOPE_KEYS = {"channel": "channels", "pool": "pools", "journey": "journeys", "total": "totals"}
_UNNAMED = {"journey", "total"}


@dataclass(slots=True)
class SimulationResult:
    """Replications of one scenario and everything derived from them.

    Use :meth:`summary` for a tidy table of KPI means with 95% confidence
    intervals, :meth:`intervals` and :meth:`contacts` for the detail, and
    :meth:`save` to write the output files of design.md section 6.
    """

    scenario: Scenario
    seed: int
    runs: list[ReplicationResult]
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def replications(self) -> int:
        """Number of replications."""
        return len(self.runs)

    def kpis(self) -> pd.DataFrame:
        """Per-replication KPI values: replication, scope, name, metric, value."""
        rows = [
            (run.replication, scope, name, metric, value)
            for run in self.runs
            for (scope, name, metric), value in run.kpis.items()
        ]
        return pd.DataFrame(rows, columns=["replication", "scope", "name", "metric", "value"])

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """One row per scope x name x metric: mean, Student-t CI over replications, n."""
        table = self.kpis()
        rows = []
        for (scope, name, metric), group in table.groupby(["scope", "name", "metric"], sort=False):
            est = estimate(group["value"].to_numpy(), level)
            rows.append((scope, name, metric, est.mean, est.low, est.high, est.n))
        return pd.DataFrame(
            rows, columns=["scope", "name", "metric", "mean", "ci_low", "ci_high", "n"]
        )

    def value(self, scope: str, name: str, metric: str) -> np.ndarray:
        """Replication values of one KPI, in replication order."""
        return np.array([run.kpis[(scope, name, metric)] for run in self.runs])

    def intervals(self) -> pd.DataFrame:
        """Per replication x day x interval x channel KPIs."""
        return _stack(self.runs, "intervals")

    def pool_intervals(self) -> pd.DataFrame:
        """Per replication x day x interval x pool staffing and occupancy."""
        return _stack(self.runs, "pool_intervals")

    def flows(self) -> pd.DataFrame:
        """Channel-to-channel journey flows per replication: source, target, count."""
        return _stack(self.runs, "flows")

    def contacts(self) -> pd.DataFrame:
        """One row per contact of the replications whose records were kept."""
        kept = [run for run in self.runs if run.contacts is not None]
        if not kept:
            raise ValueError(
                "no contact records were kept; simulate with contacts='first' or 'all'"
            )
        return _stack(kept, "contacts")

    def to_dict(self) -> dict[str, Any]:
        """The content of ``summary.json``: identity of the run and every KPI with its CI."""
        out: dict[str, Any] = {
            "ccsim_version": __version__,
            "scenario": self.scenario.name,
            "scenario_sha256": scenario_hash(self.scenario),
            "seed": self.seed,
            "replications": self.replications,
            "channels": {},
            "pools": {},
            "journeys": {},
            "totals": {},
        }
        for row in self.summary().itertuples(index=False):
            section = out[_SCOPE_KEYS[cast(str, row.scope)]]  # scope is a str column
            target = section if row.scope in _UNNAMED else section.setdefault(row.name, {})
            target[row.metric] = {"mean": row.mean, "ci95": [row.ci_low, row.ci_high]}
        return out

    def save(self, out_dir: str | Path, *, csv: bool = False) -> Path:
        """Write the output files into *out_dir* (each atomically) and return it."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / "summary.json", self.to_dict())
        write_text(out / "scenario.resolved.yaml", dump_scenario(self.scenario))
        tables = {
            "replications": self.kpis(),
            "intervals": self.intervals(),
            "pool_intervals": self.pool_intervals(),
            "flows": self.flows(),
        }
        if any(run.contacts is not None for run in self.runs):
            tables["contacts"] = self.contacts()
        for name, frame in tables.items():
            write_parquet(out / f"{name}.parquet", frame)
            if csv:
                write_text(out / f"{name}.csv", frame.to_csv(index=False))
        write_json(out / "provenance.json", self.provenance)
        return out


def _stack(runs: list[ReplicationResult], attr: str) -> pd.DataFrame:
    frames = []
    for run in runs:
        frame = getattr(run, attr)
        frames.append(frame.assign(replication=run.replication))
    table = pd.concat(frames, ignore_index=True)
    cols = ["replication", *[c for c in table.columns if c != "replication"]]
    return table[cols]
