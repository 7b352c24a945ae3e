"""What a study report is built from: the files ``ccsim compare``, ``sweep`` and ``optimize`` write.

The report never runs a simulation and never imports :mod:`ccsim.experiments`:
it reads the saved tables (Parquet, JSON, CSV) of a study folder.

* **compare** — ``compare.parquet`` (one row per scenario x KPI with its CI and
  the paired difference to the first scenario), ``design.json`` (seed,
  replications, scenarios and their hashes, command), ``points/<key>.json``
  (per scenario: finishing time, compute time, contacts) and
  ``scenarios/<label>/`` (each scenario's results folder: targets, currency).
* **sweep** — ``sweep.parquet`` (one row per point: factors, status, error, key
  KPIs with CIs), ``frontier.parquet`` (cost against service level, Pareto flag),
  ``design.json``, ``points/`` and ``scenario.resolved.yaml`` of the base
  scenario (targets, currency; optional).
* **optimize** — ``staffing.csv`` (the plan), ``history.parquet`` (every
  evaluation: phase, cost, feasible), ``evaluations/NNNN.json`` (each plan
  evaluated), ``final/`` (the results folder of the plan), and
  ``validation.parquet`` when the plan was checked with another seed.

:func:`folder_kind` tells which of these (or a ``ccsim run`` folder) a folder
is; :func:`load_study` reads a study.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ccsim.layout import safe_name
from ccsim.report.data import (
    ReportData,
    ResultsFolderError,
    load_results,
    scenario_currency,
    scenario_targets,
)

__all__ = [
    "STUDY_KINDS",
    "CompareData",
    "OptimizeData",
    "StudyData",
    "SweepData",
    "folder_kind",
    "load_study",
]

STUDY_KINDS = ("compare", "sweep", "optimize")

Targets = dict[str, dict[str, float]]

#: The table each study writes last: its presence means the study finished.
_TABLES = {"compare": "compare.parquet", "sweep": "sweep.parquet", "optimize": "staffing.csv"}


def folder_kind(folder: str | Path) -> str:
    """``run``, ``compare``, ``sweep`` or ``optimize``: which command wrote *folder*.

    Decided by the files present (the tables each command writes last), so that a
    study interrupted before its tables were written is not taken for a finished one.

    Raises
    ------
    ResultsFolderError
        When *folder* is not a folder, holds a study that has not finished (saying
        how to finish it), or is none of these; the message names what is missing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsFolderError(
            f"{folder} is not a folder; give a results folder written by `ccsim run`, "
            "`ccsim compare`, `ccsim sweep` or `ccsim optimize`"
        )
    for kind, table in _TABLES.items():
        if (folder / table).is_file() and (kind != "optimize" or _has(folder, "history.parquet")):
            return kind
    if (folder / "summary.json").is_file():
        return "run"
    design = _read_json(folder / "design.json")
    kind = str((design.get("identity") or {}).get("kind") or "")
    if kind in _TABLES or (folder / "evaluations").is_dir():
        kind = kind or "optimize"
        saved = len(list((folder / ("points" if kind != "optimize" else "evaluations")).glob("*")))
        raise ResultsFolderError(
            f"{folder} holds a `ccsim {kind}` that has not finished ({saved} saved, no "
            f"{_TABLES[kind]} yet): run the same command again to finish it, which also "
            "writes its report"
        )
    raise ResultsFolderError(
        f"{folder} is not a ccsim results folder: it has none of summary.json (`ccsim run`), "
        "compare.parquet (`ccsim compare`), sweep.parquet (`ccsim sweep`) or staffing.csv "
        "and history.parquet (`ccsim optimize`)"
    )


def _has(folder: Path, name: str) -> bool:
    return (folder / name).is_file()


def _read_json(path: Path) -> dict[str, Any]:
    """An optional JSON object: ``{}`` when missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_yaml(path: Path) -> dict[str, Any]:
    """An optional YAML mapping: ``{}`` when missing or unreadable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ResultsFolderError(f"{path}: not a readable Parquet table ({exc})") from None


def _point_records(folder: Path) -> list[dict[str, Any]]:
    """The point files of a study, without their bulky per-replication KPIs."""
    out = []
    for path in sorted((folder / "points").glob("*.json")):
        record = _read_json(path)
        if record:
            record.pop("kpis", None)
            record.pop("summary", None)
            out.append(record)
    return out


def _run_stats(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Finishing time, compute seconds and contacts simulated over the point files."""
    prov = [r.get("provenance") or {} for r in records]
    finished = [str(p["finished_utc"]) for p in prov if p.get("finished_utc")]
    compute = [float(p["compute_seconds"]) for p in prov if p.get("compute_seconds") is not None]
    contacts = [int(p["contacts_simulated"]) for p in prov if p.get("contacts_simulated")]
    return {
        "finished_utc": max(finished) if finished else None,
        "compute_seconds": sum(compute) if compute else None,
        "contacts_simulated": sum(contacts) if contacts else None,
    }


class _Design:
    """``identity`` and ``info`` of a study's ``design.json``."""

    design: dict[str, Any]

    @property
    def identity(self) -> dict[str, Any]:
        """What makes the study's results: seed, replications, scenarios or points."""
        return dict(self.design.get("identity") or {})

    @property
    def info(self) -> dict[str, Any]:
        """What does not: the command line, the grid as given."""
        return dict(self.design.get("info") or {})


# --- compare ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareData(_Design):
    """A comparison of scenarios on common random numbers.

    Attributes
    ----------
    table
        ``compare.parquet``: ``scenario, scope, name, metric, mean, ci_low, ci_high,
        n, diff, diff_low, diff_high`` (``significant``, ``status``, ``error``
        optional). The first scenario is the baseline.
    design
        ``design.json`` (``identity``: seed, replications, scenarios with their
        hashes; ``info``: the command).
    targets
        Per scenario label, its channels' service-level targets.
    currency
        Currency of the costs (empty when unknown).
    stats
        Finishing time, compute seconds and contacts simulated (from the point files).
    folder
        The study folder (for links to each scenario's report), or None.
    """

    table: pd.DataFrame
    design: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, Targets] = field(default_factory=dict)
    currency: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    kind = "compare"

    @property
    def labels(self) -> list[str]:
        """The scenarios' labels, baseline first (failed ones included)."""
        named = [s.get("label") for s in self.identity.get("scenarios") or []]
        from_table = list(dict.fromkeys(self.table["scenario"].astype(str)))
        return [str(x) for x in named if x] or from_table

    def run_folder(self, label: str) -> Path | None:
        """The results folder of scenario *label*, when it exists."""
        if self.folder is None:
            return None
        path = self.folder / "scenarios" / safe_name(label)
        return path if (path / "summary.json").is_file() else None


def load_compare(folder: str | Path) -> CompareData:
    """Read a folder written by ``ccsim compare``."""
    folder = Path(folder)
    table = _read_parquet(folder / "compare.parquet")
    data = CompareData(table, _read_json(folder / "design.json"), folder=folder)
    targets: dict[str, Targets] = {}
    currency = ""
    for label in data.labels:
        scenario = _read_yaml(folder / "scenarios" / safe_name(label) / "scenario.resolved.yaml")
        if scenario:
            targets[label] = scenario_targets(scenario)
            currency = currency or scenario_currency(scenario)
    stats = _run_stats(_point_records(folder))
    return CompareData(table, data.design, targets, currency, stats, folder)


# --- sweep --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepData(_Design):
    """A sweep: every point's factors and key KPIs, and the cost-service frontier.

    Attributes
    ----------
    table
        ``sweep.parquet``: ``point, label``, one column per factor, ``status, error,
        replications``, then ``scope.name.metric`` with ``_low``/``_high`` CI bounds.
    frontier
        ``frontier.parquet``: ``cost, cost_low, cost_high, service_level, sl_low,
        sl_high, pareto, label, point`` and the factors.
    factors
        The factor columns (dotted scenario paths), in design order.
    design
        ``design.json``.
    scenario
        Name of the base scenario.
    targets, currency
        Of the base scenario when its resolved file is in the folder (else empty);
        a channel whose target is a factor has none.
    stats
        Finishing time, compute seconds and contacts simulated (from the point files).
    """

    table: pd.DataFrame
    frontier: pd.DataFrame
    factors: list[str]
    design: dict[str, Any] = field(default_factory=dict)
    scenario: str = ""
    targets: Targets = field(default_factory=dict)
    currency: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    kind = "sweep"

    @property
    def ok(self) -> pd.DataFrame:
        """The points that finished."""
        return self.table[self.table["status"].astype(str) == "ok"]


def _factors_of(table: pd.DataFrame, design: Mapping[str, Any]) -> list[str]:
    named = (design.get("identity") or {}).get("factors")
    if named:
        return [str(f) for f in named if str(f) in table.columns]
    cols = list(table.columns)
    if "label" in cols and "status" in cols:  # the factor columns sit between the two
        return cols[cols.index("label") + 1 : cols.index("status")]
    return []


def _fixed_targets(targets: Targets, factors: Sequence[str]) -> Targets:
    """The targets no factor changes (a point's own target is not the base's)."""
    out = dict(targets)
    for factor in factors:
        parts = factor.split(".")
        if parts[0] == "channels" and (len(parts) < 3 or parts[2] == "service_level"):
            if len(parts) < 2:
                return {}
            out.pop(parts[1], None)
    return out


def load_sweep(folder: str | Path) -> SweepData:
    """Read a folder written by ``ccsim sweep``."""
    folder = Path(folder)
    table = _read_parquet(folder / "sweep.parquet")
    path = folder / "frontier.parquet"
    frontier = _read_parquet(path) if path.is_file() else pd.DataFrame()
    design = _read_json(folder / "design.json")
    factors = _factors_of(table, design)
    records = _point_records(folder)
    names = [str(r["scenario"]) for r in records if r.get("scenario")]
    base = _read_yaml(folder / "scenario.resolved.yaml")
    return SweepData(
        table,
        frontier,
        factors,
        design,
        str(base.get("name") or (names[0] if names else "")),
        _fixed_targets(scenario_targets(base), factors),
        scenario_currency(base),
        _run_stats(records),
        folder,
    )


# --- optimize -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptimizeData:
    """The least-cost staffing found by ``ccsim optimize`` and how the search went.

    Attributes
    ----------
    staffing
        ``staffing.csv``: ``interval`` (clock time), then agents per optimised pool.
    history
        ``history.parquet``: ``step, phase, cost, feasible`` (``agent_intervals``,
        ``replications``, ``misses`` optional), one row per evaluation.
    final
        The results of the chosen plan (``final/``), or None.
    start
        The analytic starting plan, ``{pool: agents per interval}`` (from the first
        evaluation file), or None.
    validation
        ``validation.parquet`` (``channel, interval, mean, low, high, target,
        significant_miss``), or None.
    scenario
        ``scenario.optimized.yaml`` as plain data.
    folder
        The optimisation's folder (for the link to the plan's report), or None.
    saved_step
        The step (row of *history*) that evaluated the saved plan, when known.
    """

    staffing: pd.DataFrame
    history: pd.DataFrame
    final: ReportData | None = None
    start: dict[str, list[int]] | None = None
    validation: pd.DataFrame | None = None
    scenario: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None
    saved_step: int | None = None

    kind = "optimize"

    @property
    def pools(self) -> list[str]:
        """The optimised pools."""
        return [str(c) for c in self.staffing.columns if c != "interval"]

    @property
    def name(self) -> str:
        """Scenario name."""
        if self.scenario.get("name"):
            return str(self.scenario["name"])
        return self.final.name if self.final is not None else "scenario"

    @property
    def currency(self) -> str:
        """Currency code of the costs (empty when not given)."""
        return scenario_currency(self.scenario) or (self.final.currency if self.final else "")

    @property
    def feasible(self) -> bool:
        """Whether the saved plan meets every target (some evaluation was feasible)."""
        return bool(len(self.history)) and bool(self.history["feasible"].astype(bool).any())

    @property
    def chosen_step(self) -> int | None:
        """The evaluation of the saved plan: the one whose plan it is (from the evaluation
        files), else the cheapest feasible one, else the last."""
        h = self.history
        if self.saved_step is not None or not len(h):
            return self.saved_step
        feasible = h[h["feasible"].astype(bool)]
        if len(feasible):
            return int(feasible.sort_values(["cost", "step"]).iloc[0]["step"])
        return int(h["step"].iloc[-1])

    def run_folder(self) -> Path | None:
        """The results folder of the chosen plan, when it exists."""
        if self.folder is None or not (self.folder / "final" / "summary.json").is_file():
            return None
        return self.folder / "final"


def _latest_run(folder: Path) -> list[dict[str, Any]]:
    """The evaluation files of the latest search (from its last ``start``), in order.

    ``ccsim optimize`` numbers the files on from those already in the folder, so a
    search run again into the same folder follows the previous one.
    """
    records = [_read_json(p) for p in sorted((folder / "evaluations").glob("*.json"))]
    records = [r for r in records if isinstance(r.get("plan"), dict)]
    starts = [i for i, r in enumerate(records) if r.get("phase") == "start"]
    return records[starts[-1] :] if starts else records


def _plan(record: Mapping[str, Any]) -> dict[str, list[int]]:
    return {str(p): [int(a) for a in v] for p, v in (record.get("plan") or {}).items()}


def load_optimize(folder: str | Path) -> OptimizeData:
    """Read a folder written by ``ccsim optimize``."""
    folder = Path(folder)
    try:
        staffing = pd.read_csv(folder / "staffing.csv", dtype={"interval": str})
    except (OSError, ValueError) as exc:
        raise ResultsFolderError(f"{folder / 'staffing.csv'}: not readable ({exc})") from None
    history = _read_parquet(folder / "history.parquet")
    final = load_results(folder / "final") if _has(folder / "final", "summary.json") else None
    path = folder / "validation.parquet"
    validation = _read_parquet(path) if path.is_file() else None
    run = _latest_run(folder)
    start = _plan(run[0]) if run and run[0].get("phase") == "start" else None
    plan = {p: [int(a) for a in staffing[p]] for p in staffing.columns if p != "interval"}
    chosen = [i for i, r in enumerate(run) if r.get("feasible") and _plan(r) == plan]
    return OptimizeData(
        staffing,
        history,
        final,
        start,
        validation,
        _read_yaml(folder / "scenario.optimized.yaml"),
        folder,
        chosen[-1] if chosen and len(run) == len(history) else None,
    )


StudyData = CompareData | SweepData | OptimizeData


def load_study(folder: str | Path) -> StudyData:
    """Read the study in *folder* (see :func:`folder_kind`).

    Raises
    ------
    ResultsFolderError
        When *folder* is not a finished compare, sweep or optimize folder.
    """
    kind = folder_kind(folder)
    if kind == "run":
        raise ResultsFolderError(
            f"{folder} is the results folder of `ccsim run`, not of a study: its report "
            "is ccsim.report.write_report (or `ccsim report`)"
        )
    if kind == "compare":
        return load_compare(folder)
    return load_sweep(folder) if kind == "sweep" else load_optimize(folder)
