"""Sweeps: a grid of what-ifs on common random numbers, and its cost-service frontier.

Every point of the grid is the base scenario with its overrides (see
:mod:`ccsim.experiments.design`), simulated over the same replications of the
same root seed. The results are one tidy table (factor columns, then each key
KPI's mean and 95% CI) and the Pareto frontier of total cost against the
combined service level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ccsim._version import __version__
from ccsim.analysis.frontier import pareto_mask
from ccsim.experiments.design import Combine, DesignError, expand_grid, sweep_points
from ccsim.experiments.output import json_ready, write_parquet, write_text
from ccsim.experiments.points import Point, PointResult, key_kpis, summarize
from ccsim.experiments.precision import PrecisionRule
from ccsim.experiments.store import point_key
from ccsim.experiments.study import StudyProgress, run_study
from ccsim.scenario.loader import dump_scenario, load_scenario, scenario_hash
from ccsim.scenario.schema import Scenario

__all__ = ["FRONTIER_COLUMNS", "SweepResult", "kpi_column", "pareto_mask", "sweep"]

#: Columns of :meth:`SweepResult.frontier` (``frontier.parquet``), then the factor columns.
FRONTIER_COLUMNS = [
    "cost",
    "cost_low",
    "cost_high",
    "service_level",
    "sl_low",
    "sl_high",
    "pareto",
    "label",
]
_COST = ("total", "all", "cost")
_SERVICE = ("total", "all", "service_level")


def kpi_column(scope: str, name: str, metric: str) -> str:
    """The wide-table column of a KPI, e.g. ``channel.voice.service_level``."""
    return f"{scope}.{name}.{metric}"


@dataclass(slots=True)
class SweepResult:
    """The points of a sweep and what each produced.

    Attributes
    ----------
    base
        The base scenario (before the grid's overrides).
    factors
        The grid's paths, in order.
    points
        The points, in design order.
    results
        What each point produced (or why it failed), by point key.
    seed
        The common root seed.
    provenance
        Version, replications, wall time, precision reached, points resumed.
    folder
        The output folder, when one was given.
    """

    base: Scenario
    factors: list[str]
    points: list[Point]
    results: dict[str, PointResult]
    seed: int
    provenance: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    @property
    def failed(self) -> dict[str, str]:
        """Labels of the points that failed, with their error."""
        return {p.label: self.results[p.key].error or "" for p in self.points if not self._ok(p)}

    def _ok(self, point: Point) -> bool:
        return point.key in self.results and self.results[point.key].ok

    def _factor_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            [{"point": p.key, "label": p.label, **p.factors} for p in self.points],
            columns=["point", "label", *self.factors],
        )
        for col in self.factors:  # parquet needs one type per column
            kinds = {type(v) for v in frame[col]}
            if len(kinds) > 1 and not kinds <= {int, float}:
                frame[col] = frame[col].map(str)
        return frame

    def kpis(self) -> pd.DataFrame:
        """Per-replication KPIs of the finished points.

        Columns ``point, label, <factors>, replication, scope, name, metric, value``.
        """
        factors = self._factor_frame()
        frames = [self.results[p.key].kpis.assign(point=p.key) for p in self.points if self._ok(p)]
        if not frames:
            return factors.iloc[0:0]
        return factors.merge(pd.concat(frames, ignore_index=True), on="point", sort=False)

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Every KPI of every point: ``point, label, <factors>, status, error, scope, name,
        metric, mean, ci_low, ci_high, n`` (a failed point has one row with its error)."""
        rows = []
        for p in self.points:
            res = self.results.get(p.key)
            status = res.status if res is not None else "missing"
            error = res.error if res is not None else None
            if res is not None and res.ok:
                frame = summarize(res.kpis, level)
            else:
                frame = pd.DataFrame([{"scope": None, "name": None, "metric": None}])
            rows.append(frame.assign(point=p.key, status=status, error=error))
        long = pd.concat(rows, ignore_index=True)
        table = self._factor_frame().merge(long, on="point", sort=False)
        first = ["point", "label", *self.factors, "status", "error"]
        return table[first + [c for c in table.columns if c not in first]]

    def table(
        self, kpis: Iterable[tuple[str, str, str]] | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        """One row per point: ``point, label, <factors>, status, error, replications``, then
        for each KPI (default the key KPIs) its mean and ``_low``/``_high`` CI bounds.

        KPI columns are named ``scope.name.metric``, e.g. ``channel.voice.service_level``,
        ``channel.voice.service_level_low``, ``channel.voice.service_level_high``.
        """
        wanted = list(kpis) if kpis is not None else key_kpis(self.base)
        rows = []
        for p in self.points:
            res = self.results.get(p.key)
            row: dict[str, Any] = {
                "point": p.key,
                "status": res.status if res is not None else "missing",
                "error": res.error if res is not None else None,
                "replications": res.replications if res is not None else 0,
            }
            summary = summarize(res.kpis, level) if res is not None and res.ok else None
            found = {} if summary is None else _index(summary)
            for key in wanted:
                col = kpi_column(*key)
                row[col], row[col + "_low"], row[col + "_high"] = found.get(key, (np.nan,) * 3)
            rows.append(row)
        table = self._factor_frame().merge(pd.DataFrame(rows), on="point", sort=False)
        return table.astype({"replications": "int64"})

    def frontier(self, level: float = 0.95) -> pd.DataFrame:
        """Total cost against combined service level per finished point, with CIs and the
        Pareto flag: :data:`FRONTIER_COLUMNS`, then ``point`` and the factor columns
        (the input of ``ccsim.report.figures.frontier_figure``)."""
        table = self.table([_COST, _SERVICE], level)
        table = table[table["status"] == "ok"]
        cost, sl = kpi_column(*_COST), kpi_column(*_SERVICE)
        out = pd.DataFrame(
            {
                "cost": table[cost],
                "cost_low": table[cost + "_low"],
                "cost_high": table[cost + "_high"],
                "service_level": table[sl],
                "sl_low": table[sl + "_low"],
                "sl_high": table[sl + "_high"],
                "pareto": pareto_mask(table[cost].to_numpy(), table[sl].to_numpy()),
                "label": table["label"],
                "point": table["point"],
            }
        )
        for col in self.factors:
            out[col] = table[col]
        return out.reset_index(drop=True)

    def save(self, out_dir: str | Path) -> Path:
        """Write ``sweep.parquet`` (the wide table), ``summary.parquet`` (every KPI),
        ``replications.parquet``, ``frontier.parquet`` and the base scenario
        (``scenario.resolved.yaml``: its targets and currency label the report) into
        *out_dir*."""
        out = Path(out_dir)
        write_text(out / "scenario.resolved.yaml", dump_scenario(self.base))
        write_parquet(out / "sweep.parquet", self.table())
        write_parquet(out / "summary.parquet", self.summary())
        write_parquet(out / "replications.parquet", self.kpis())
        write_parquet(out / "frontier.parquet", self.frontier())
        return out


def _index(summary: pd.DataFrame) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    return {
        (str(scope), str(name), str(metric)): (float(mean), float(lo), float(hi))
        for scope, name, metric, mean, lo, hi in zip(
            summary["scope"],
            summary["name"],
            summary["metric"],
            summary["mean"],
            summary["ci_low"],
            summary["ci_high"],
            strict=True,
        )
    }


def sweep(
    scenario: Scenario | str | Path,
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    points: Sequence[Mapping[str, Any]] | None = None,
    combine: Combine = "product",
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    executor: Executor | None = None,
    out: str | Path | None = None,
    precision: float | None = None,
    max_replications: int | None = None,
    precision_metrics: Iterable[str] | None = None,
    retry_failed: bool = False,
    progress: Callable[[StudyProgress], None] | None = None,
    info: Mapping[str, Any] | None = None,
) -> SweepResult:
    """Simulate every point of a grid of overrides on common random numbers.

    Parameters
    ----------
    scenario
        The base scenario (or its path).
    grid
        Dotted path -> values, e.g. ``{"pools.phone.agents": range(20, 41, 2)}``.
    points
        Instead of *grid*: the points as a list of override mappings.
    combine
        ``"product"`` (every combination) or ``"list"`` (zip lists of equal length).
    replications, seed
        Of every point; default the scenario's.
    jobs, executor
        Where to run, as for :func:`ccsim.simulate`.
    out
        Output folder: each point's file is written as it finishes
        (``points/<key>.json``), then the tables. Running the same sweep into the
        same folder again runs only the missing points; a folder holding another
        study is refused.
    precision, max_replications, precision_metrics
        Per point, add replications until its KPIs are precise enough (see
        :mod:`ccsim.experiments.precision`).
    retry_failed
        Run again the points whose failure is recorded in *out*.
    progress
        Called with a :class:`~ccsim.experiments.study.StudyProgress`.
    info
        Stored in ``design.json`` (e.g. the command line), not compared on resume.

    Returns
    -------
    SweepResult
        :meth:`~SweepResult.table`, :meth:`~SweepResult.frontier`, ...

    Raises
    ------
    ScenarioError
        Before anything runs, naming every path that does not exist and every
        value that fails validation.
    DesignError
        For an empty grid or lists of unequal length with ``combine="list"``.

    Examples
    --------
    >>> res = sweep("scenarios/voice_chat_blended.yaml",
    ...             {"pools.specialists.shrinkage": [0.2, 0.25, 0.3]})  # doctest: +SKIP
    >>> res.frontier()  # doctest: +SKIP
    """
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if points is None:  # (numpy scalars become Python numbers, as in a YAML file)
        overrides = expand_grid({k: json_ready(list(v)) for k, v in (grid or {}).items()}, combine)
    elif grid is not None:
        raise ValueError("give either grid or points, not both")
    else:
        overrides = [json_ready(dict(p)) for p in points]
        keys = [point_key(p) for p in overrides]
        if not overrides or len(set(keys)) != len(keys):
            raise DesignError("points must be a non-empty list of distinct override mappings")
    factors = list(dict.fromkeys(k for p in overrides for k in p))
    pts = sweep_points(base, overrides)
    n = base.replications if replications is None else replications
    if n < 1:
        raise ValueError("replications must be at least 1")
    root = base.seed if seed is None else seed
    rule = None
    if precision is not None:
        rule = PrecisionRule.make(precision, precision_metrics, max_replications, replications)
        n = rule.min_replications
    identity = {
        "kind": "sweep",
        "ccsim_version": __version__,
        "scenario_sha256": scenario_hash(base),
        "seed": root,
        "replications": n,
        "precision": None if rule is None else [rule.target, list(rule.metrics)],
        "max_replications": None if rule is None else rule.max_replications,
        "factors": factors,
        "points": [p.key for p in pts],
    }
    folder = Path(out) if out is not None else None
    results, provenance = run_study(
        pts,
        root,
        n,
        jobs=jobs,
        executor=executor,
        rule=rule,
        out=folder,
        identity=identity,
        info=dict(info or {}),
        retry_failed=retry_failed,
        progress=progress,
    )
    provenance["scenario"] = base.name
    provenance["scenario_sha256"] = scenario_hash(base)
    result = SweepResult(base, factors, pts, results, root, provenance, folder)
    if folder is not None:
        result.save(folder)
    return result
