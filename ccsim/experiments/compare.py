"""Compare scenarios side by side, paired over common random numbers.

Every scenario runs replications ``0 .. n-1`` of the same root seed. Because a
replication's random streams depend only on the seed, the replication number and
the name of the source (``arrivals/voice``, ``handle/voice``, ...), replication
*r* of every scenario sees the same customers: the same arrival times, handle
times and patience (common random numbers, design.md section 4). The difference
of a KPI between two scenarios is then estimated replication by replication,
with a paired-t interval, which is far narrower than the difference of two
independent estimates (Law 2015, section 11.2).

References
----------
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill:
section 10.2 (paired-t confidence interval for a difference of means) and
section 11.2 (common random numbers).
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
from ccsim.analysis.stats import estimate, paired_difference
from ccsim.engine import ReplicationResult
from ccsim.experiments.output import write_parquet
from ccsim.experiments.points import Point, PointResult, kpi_matrix
from ccsim.experiments.precision import PrecisionRule
from ccsim.experiments.result import SimulationResult
from ccsim.experiments.store import point_key
from ccsim.experiments.study import StudyProgress, run_study
from ccsim.layout import safe_name
from ccsim.scenario.loader import load_scenario, scenario_hash
from ccsim.scenario.schema import Scenario

__all__ = ["COMPARE_COLUMNS", "CompareResult", "compare", "compare_table"]

#: Columns of :meth:`CompareResult.table` (``compare.parquet``).
COMPARE_COLUMNS = [
    "scenario",
    "scope",
    "name",
    "metric",
    "mean",
    "ci_low",
    "ci_high",
    "n",
    "diff",
    "diff_low",
    "diff_high",
    "significant",
    "status",
    "error",
]


@dataclass(slots=True)
class CompareResult:
    """Scenarios simulated on common random numbers, and their paired differences.

    Attributes
    ----------
    labels
        The scenarios' labels, baseline first.
    scenarios
        The scenarios by label.
    points
        What each scenario produced (or why it failed), by label.
    seed
        The common root seed.
    provenance
        Version, replications, wall time, precision reached, points resumed.
    folder
        The output folder, when one was given.
    """

    labels: list[str]
    scenarios: dict[str, Scenario]
    points: dict[str, PointResult]
    seed: int
    provenance: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    @property
    def failed(self) -> dict[str, str]:
        """The scenarios that failed, with their error."""
        return {k: p.error or "" for k, p in self.points.items() if not p.ok}

    def kpis(self) -> pd.DataFrame:
        """Per-replication KPIs: ``scenario, replication, scope, name, metric, value``."""
        frames = [
            self.points[label].kpis.assign(scenario=label)
            for label in self.labels
            if self.points[label].ok
        ]
        if not frames:
            return pd.DataFrame(
                columns=["scenario", "replication", "scope", "name", "metric", "value"]
            )
        table = pd.concat(frames, ignore_index=True)
        return table[["scenario", *[c for c in table.columns if c != "scenario"]]]

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """One row per scenario x KPI with its CI and the paired difference to the baseline.

        Columns :data:`COMPARE_COLUMNS`: ``mean, ci_low, ci_high`` (Student-t over
        replications), ``diff, diff_low, diff_high`` (paired-t interval of this
        scenario minus the first, over the replications both ran; NaN for the
        first), ``significant`` (that interval excludes zero), ``status`` and
        ``error`` (a failed scenario has one row with its error).
        """
        return compare_table([self.points[label] for label in self.labels], self.labels, level)

    def save(self, out_dir: str | Path) -> Path:
        """Write ``compare.parquet`` and ``replications.parquet`` into *out_dir*."""
        out = Path(out_dir)
        write_parquet(out / "compare.parquet", self.table())
        write_parquet(out / "replications.parquet", self.kpis())
        return out


def compare_table(
    points: Sequence[PointResult], labels: Sequence[str], level: float = 0.95
) -> pd.DataFrame:
    """The comparison table of *points* (the first is the baseline); see
    :meth:`CompareResult.table`."""
    base = _by_kpi(points[0]) if points and points[0].ok else {}
    rows: list[tuple[Any, ...]] = []
    for i, (label, point) in enumerate(zip(labels, points, strict=True)):
        if not point.ok:
            nan = np.nan
            rows.append((label, None, None, None, nan, nan, nan, 0, nan, nan, nan, False,
                         "failed", point.error))  # fmt: skip
            continue
        for key, values in _by_kpi(point).items():
            est = estimate(values.to_numpy(dtype=float), level)
            d = (np.nan, np.nan, np.nan)
            if i > 0 and key in base:
                diff = paired_difference(*_common(base[key], values), level)
                d = (diff.mean, diff.low, diff.high)
            significant = bool(d[1] > 0 or d[2] < 0)
            rows.append(
                (label, *key, est.mean, est.low, est.high, est.n, *d, significant, "ok", None)
            )
    table = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    return table.astype({"n": "int64", "significant": "bool"})


def _by_kpi(point: PointResult) -> dict[tuple[str, str, str], pd.Series]:
    """Each KPI's values indexed by replication number, KPIs in first-seen order."""
    keys, reps, values = kpi_matrix(point.kpis)
    return {key: pd.Series(row, index=reps) for key, row in zip(keys, values, strict=True)}


def _common(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The values of the replications both ran, paired by replication number."""
    common = a.index.intersection(b.index)
    return a[common].to_numpy(dtype=float), b[common].to_numpy(dtype=float)


def _labels(scenarios: Sequence[Scenario]) -> list[str]:
    labels: list[str] = []
    for sc in scenarios:
        label, k = sc.name, 2
        while label in labels:
            label, k = f"{sc.name}-{k}", k + 1
        labels.append(label)
    return labels


def compare(
    scenarios: Sequence[Scenario | str | Path] | Mapping[str, Scenario | str | Path],
    replications: int | None = None,
    seed: int | None = None,
    *,
    jobs: int | None = 1,
    executor: Executor | None = None,
    out: str | Path | None = None,
    precision: float | None = None,
    max_replications: int | None = None,
    precision_metrics: Iterable[str] | None = None,
    retry_failed: bool = False,
    progress: Callable[[StudyProgress], None] | None = None,
    info: Mapping[str, Any] | None = None,
) -> CompareResult:
    """Simulate scenarios on common random numbers and compare them with the first.

    Parameters
    ----------
    scenarios
        Two or more scenarios (or paths), the baseline first; or a mapping from
        label to scenario. Labels default to the scenario names (``-2``, ``-3``
        appended to repeats).
    replications, seed
        Replications and root seed of every scenario; default the most
        replications any scenario asks for, and the first scenario's seed.
    jobs, executor
        Where to run, as for :func:`ccsim.simulate`.
    out
        Output folder: each scenario's result folder (``scenarios/<label>/``,
        as ``ccsim run`` writes) and point file are written as it finishes, then
        ``compare.parquet``. Running the same comparison into the same folder
        again resumes it; a folder holding another study is refused.
    precision, max_replications, precision_metrics
        Per scenario, add replications until the KPIs are precise enough (see
        :mod:`ccsim.experiments.precision`); differences use the replications
        both scenarios ran.
    retry_failed
        Run again scenarios whose failure is recorded in *out*.
    progress
        Called with a :class:`~ccsim.experiments.study.StudyProgress`.
    info
        Stored in ``design.json`` (e.g. the command line), not compared on resume.

    Returns
    -------
    CompareResult
        Use :meth:`~CompareResult.table` for the tidy comparison.

    Examples
    --------
    >>> res = compare(["scenarios/voice_chat_siloed.yaml",
    ...                "scenarios/voice_chat_blended.yaml"], replications=20)  # doctest: +SKIP
    >>> t = res.table()  # doctest: +SKIP
    >>> t[(t.scope == "channel") & (t.metric == "asa")]  # doctest: +SKIP
    """
    if isinstance(scenarios, Mapping):
        labels = [str(k) for k in scenarios]
        items = [_load(v) for v in scenarios.values()]
    else:
        items = [_load(v) for v in scenarios]
        labels = _labels(items)
    if len(items) < 2:
        raise ValueError("compare needs at least two scenarios")
    n = replications if replications is not None else max(sc.replications for sc in items)
    if n < 1:
        raise ValueError("replications must be at least 1")
    root = items[0].seed if seed is None else seed
    rule = None
    if precision is not None:
        rule = PrecisionRule.make(precision, precision_metrics, max_replications, replications)
        n = rule.min_replications
    by_label = dict(zip(labels, items, strict=True))
    points = [
        Point(point_key({"label": lb, "scenario_sha256": scenario_hash(sc)}), lb, sc)
        for lb, sc in by_label.items()
    ]
    identity = {
        "kind": "compare",
        "ccsim_version": __version__,
        "seed": root,
        "replications": n,
        "precision": None if rule is None else [rule.target, list(rule.metrics)],
        "max_replications": None if rule is None else rule.max_replications,
        "scenarios": [
            {"label": p.label, "key": p.key, "scenario_sha256": scenario_hash(p.scenario)}
            for p in points
        ],
    }
    folder = Path(out) if out is not None else None

    def save_folder(point: Point, result: PointResult, runs: list[ReplicationResult]) -> None:
        if folder is not None:
            prov = {
                "ccsim_version": __version__,
                "scenario": point.scenario.name,
                "scenario_sha256": scenario_hash(point.scenario),
                "seed": root,
                "study": "compare",
                **result.provenance,
            }
            sim = SimulationResult(point.scenario, root, runs, prov)
            sim.save(folder / "scenarios" / safe_name(point.label))

    results, provenance = run_study(
        points,
        root,
        n,
        jobs=jobs,
        executor=executor,
        rule=rule,
        out=folder,
        identity=identity,
        info=dict(info or {}),
        detail=folder is not None,
        retry_failed=retry_failed,
        on_point=save_folder,
        progress=progress,
    )
    result = CompareResult(
        labels,
        by_label,
        {p.label: results[p.key] for p in points},
        root,
        provenance,
        folder,
    )
    if folder is not None:
        result.save(folder)
    return result


def _load(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
