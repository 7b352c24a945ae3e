"""What a report is built from: the tables and metadata of a saved results folder.

A results folder (design.md section 6) holds ``summary.json``,
``intervals.parquet``, ``pool_intervals.parquet``, ``scenario.resolved.yaml`` and
``provenance.json``. :func:`load_results` reads them into a :class:`ReportData`;
:meth:`ReportData.from_tables` builds one from tables already in memory.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ccsim.errors import CcsimError

__all__ = [
    "REQUIRED_FILES",
    "ReportData",
    "ResultsFolderError",
    "load_results",
    "scenario_currency",
    "scenario_targets",
    "summary_frame",
]

REQUIRED_FILES = (
    "summary.json",
    "intervals.parquet",
    "pool_intervals.parquet",
    "scenario.resolved.yaml",
    "provenance.json",
)

_SECTIONS = (("channel", "channels"), ("pool", "pools"))


class ResultsFolderError(CcsimError):
    """A path that is not a complete ccsim results folder."""


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def summary_frame(summary: Mapping[str, Any]) -> pd.DataFrame:
    """The tidy summary table of a ``summary.json`` document.

    Returns
    -------
    pandas.DataFrame
        Columns ``scope`` (channel, pool, total), ``name`` (``all`` for totals),
        ``metric``, ``mean``, ``ci_low``, ``ci_high``, as ``SimulationResult.summary()``
        (JSON nulls become NaN).
    """
    rows = []
    for scope, key in _SECTIONS:
        for name, metrics in (summary.get(key) or {}).items():
            for metric, est in metrics.items():
                rows.append((scope, name, metric, est.get("mean"), *est.get("ci95", (None, None))))
    for metric, est in (summary.get("totals") or {}).items():
        rows.append(("total", "all", metric, est.get("mean"), *est.get("ci95", (None, None))))
    frame = pd.DataFrame(rows, columns=["scope", "name", "metric", "mean", "ci_low", "ci_high"])
    for col in ("mean", "ci_low", "ci_high"):
        frame[col] = [_number(v) for v in frame[col]]
    return frame


def scenario_targets(scenario: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Per channel ``{"target": share, "within": seconds}`` of a resolved scenario mapping."""
    channels = scenario.get("channels") or {}
    return {
        str(name): dict(ch.get("service_level") or {})
        for name, ch in channels.items()
        if isinstance(ch, Mapping)
    }


def scenario_currency(scenario: Mapping[str, Any]) -> str:
    """Currency code of a resolved scenario mapping's costs (empty when not given)."""
    return str((scenario.get("costs") or {}).get("currency") or "")


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows.

    Attributes
    ----------
    summary
        Tidy summary: ``scope, name, metric, mean, ci_low, ci_high``.
    intervals, pool_intervals
        The per-interval tables (``intervals.parquet``, ``pool_intervals.parquet``).
    scenario
        The resolved scenario as plain data (``scenario.resolved.yaml``).
    provenance
        Identity of the run: version, seed, replications, hash, run time, command.
    flows
        Journey flows per replication (``flows.parquet``: ``replication, source,
        target, count``), or None when the run has none.
    """

    summary: pd.DataFrame
    intervals: pd.DataFrame
    pool_intervals: pd.DataFrame
    scenario: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    flows: pd.DataFrame | None = None

    @classmethod
    def from_tables(
        cls,
        summary: pd.DataFrame | Mapping[str, Any],
        intervals: pd.DataFrame,
        pool_intervals: pd.DataFrame,
        scenario: Mapping[str, Any] | None = None,
        provenance: Mapping[str, Any] | None = None,
        flows: pd.DataFrame | None = None,
    ) -> ReportData:
        """Build from in-memory tables; *summary* may be a tidy frame or a summary.json dict."""
        prov = dict(provenance or {})
        if not isinstance(summary, pd.DataFrame):
            for key in ("ccsim_version", "scenario", "scenario_sha256", "seed", "replications"):
                if key in summary:
                    prov.setdefault(key, summary[key])
            summary = summary_frame(summary)
        return cls(summary, intervals, pool_intervals, dict(scenario or {}), prov, flows)

    @property
    def name(self) -> str:
        """Scenario name."""
        return str(self.scenario.get("name") or self.provenance.get("scenario") or "scenario")

    @property
    def description(self) -> str:
        """Scenario description (may be empty)."""
        return " ".join(str(self.scenario.get("description") or "").split())

    @property
    def targets(self) -> dict[str, dict[str, float]]:
        """Per channel ``{"target": share, "within": seconds}``."""
        return scenario_targets(self.scenario)

    def mean_flows(self) -> pd.DataFrame | None:
        """Journey flows per replication on average (``source, target, count``), or None.

        None also when no contact moved between channels (every flow starts at
        ``new`` or ends an issue): a diagram of that says nothing.
        """
        f = self.flows
        if f is None or f.empty or not {"source", "target", "count"} <= set(f.columns):
            return None
        n = f["replication"].nunique() if "replication" in f.columns else 1
        per_replication = f.groupby(["source", "target"], sort=False)["count"].sum() / max(n, 1)
        mean = per_replication.reset_index()
        source, target = mean["source"].astype(str), mean["target"].astype(str)
        channels = set(self.intervals["channel"].astype(str))
        if not (source.isin(channels) & target.isin(channels)).any():
            return None
        return mean

    @property
    def currency(self) -> str:
        """Currency code of the costs (empty when not given)."""
        return scenario_currency(self.scenario)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ResultsFolderError(f"{path}: not readable YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ResultsFolderError(f"{path}: expected a scenario mapping")
    return data


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ResultsFolderError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ResultsFolderError(f"{path}: expected a JSON object")
    return data


def load_results(folder: str | Path) -> ReportData:
    """Read a results folder written by ``ccsim run``.

    Raises
    ------
    ResultsFolderError
        When *folder* is not a folder or lacks one of :data:`REQUIRED_FILES`; the
        message names what is missing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsFolderError(
            f"{folder} is not a folder; give the results folder written by "
            "`ccsim run` (e.g. results/<name>-<timestamp>/)"
        )
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        complete = "" if len(missing) == len(REQUIRED_FILES) else "complete "
        what = f"is not a {complete}ccsim results folder"
        raise ResultsFolderError(
            f"{folder} {what}: missing {', '.join(missing)} "
            "(written by `ccsim run SCENARIO --out FOLDER`)"
        )
    summary = _read_json(folder / "summary.json")
    provenance = _read_json(folder / "provenance.json")
    try:
        intervals = pd.read_parquet(folder / "intervals.parquet")
        pool_intervals = pd.read_parquet(folder / "pool_intervals.parquet")
        flows = None
        if (folder / "flows.parquet").is_file():  # journeys: written by newer runs only
            flows = pd.read_parquet(folder / "flows.parquet")
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ResultsFolderError(f"{folder}: a Parquet table is not readable ({exc})") from None
    scenario = _read_yaml(folder / "scenario.resolved.yaml")
    return ReportData.from_tables(summary, intervals, pool_intervals, scenario, provenance, flows)
