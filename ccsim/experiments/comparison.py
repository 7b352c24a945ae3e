"""Comparing every KPI of a scenario: a t-test each, Holm's correction, then the margin.

The statistics of ``ccsim check`` (see :mod:`ccsim.experiments.regression` for
the reasoning and ``docs/how-to/ci-regression.md`` for measured rates).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ccsim.analysis.significance import holm, paired_pvalue, welch_pvalue
from ccsim.experiments.margins import Margin, kpi_key_text

__all__ = ["ALPHA", "KpiComparison", "Verdict", "compare_kpis"]

KpiKey = tuple[str, str, str]
Verdict = Literal["ok", "within margin", "fail", "n/a", "new", "missing"]

#: Default family-wise false-alarm rate per scenario.
ALPHA = 0.05


@dataclass(frozen=True, slots=True)
class KpiComparison:
    """One KPI of a check: baseline against now.

    Attributes
    ----------
    key
        ``(scope, name, metric)``.
    baseline_mean, now_mean, delta
        Means over replications and ``now_mean - baseline_mean``.
    margin
        The resolved margin in the KPI's unit; *margin_spec* how it was set.
    p_value, p_adjusted
        Paired or Welch p-value and Holm-adjusted p-value (NaN if not tested).
    deterministic
        Constant in both samples (paired: equal differences): compared exactly,
        not counted in Holm's family.
    verdict
        ``ok`` (no significant change), ``within margin`` (significant but small),
        ``fail``, ``n/a`` (too few values to test), ``new`` (no baseline values)
        or ``missing`` (no longer computed: a failure).
    """

    key: KpiKey
    baseline_mean: float
    now_mean: float
    delta: float
    margin: float
    margin_spec: Margin
    p_value: float
    p_adjusted: float
    deterministic: bool
    n_baseline: int
    n_now: int
    verdict: Verdict

    @property
    def failed(self) -> bool:
        """Whether this KPI fails the check."""
        return self.verdict in ("fail", "missing")

    @property
    def label(self) -> str:
        """``channel.voice.service_level``."""
        return kpi_key_text(self.key)


def _mean(x: np.ndarray | None) -> tuple[float, int]:
    if x is None:
        return math.nan, 0
    x = x[~np.isnan(x)]
    return (float(x.mean()) if len(x) else math.nan), len(x)


def compare_kpis(
    baseline: Mapping[KpiKey, np.ndarray],
    now: Mapping[KpiKey, np.ndarray],
    margin_for: Callable[[KpiKey], Margin],
    alpha: float = ALPHA,
    *,
    paired: bool = False,
) -> list[KpiComparison]:
    """Compare every KPI: a t-test, Holm's correction over the family, then the margin.

    Parameters
    ----------
    baseline, now
        Per-replication values of each KPI, in replication order.
    margin_for
        The margin of a KPI.
    alpha
        Family-wise false-alarm rate of the scenario.
    paired
        Paired t-test of replication *i* against replication *i* (the runs share
        random numbers; equal numbers of replications) instead of Welch's test.
    """
    test = paired_pvalue if paired else welch_pvalue
    keys = list(dict.fromkeys([*baseline, *now]))
    raw = {k: test(baseline[k], now[k]) for k in keys if k in baseline and k in now}
    deterministic = {k for k in raw if _deterministic(baseline[k], now[k], paired)}
    family = [k for k, p in raw.items() if k not in deterministic and not math.isnan(p)]
    adjusted = dict(zip(family, holm(raw[k] for k in family), strict=True))
    out = []
    for k in keys:
        (b_mean, b_n), (n_mean, n_n) = _mean(baseline.get(k)), _mean(now.get(k))
        spec = margin_for(k)
        margin = spec.resolve(b_mean)
        p = raw.get(k, math.nan)
        p_adj = adjusted.get(k, p)
        delta = n_mean - b_mean
        verdict = _verdict(k in baseline, k in now, p_adj, delta, margin, alpha)
        out.append(
            KpiComparison(
                key=k,
                baseline_mean=b_mean,
                now_mean=n_mean,
                delta=delta,
                margin=margin,
                margin_spec=spec,
                p_value=p,
                p_adjusted=p_adj,
                deterministic=k in deterministic,
                n_baseline=b_n,
                n_now=n_n,
                verdict=verdict,
            )
        )
    return out


def _deterministic(x: np.ndarray, y: np.ndarray, paired: bool) -> bool:
    if paired:
        d = y - x
        return _constant(d)
    return _constant(x) and _constant(y)


def _constant(x: np.ndarray) -> bool:
    x = x[~np.isnan(x)]
    return len(x) >= 2 and np.ptp(x) == 0


def _verdict(
    in_base: bool, in_now: bool, p_adj: float, delta: float, margin: float, alpha: float
) -> Verdict:
    if not in_now:
        return "missing"
    if not in_base:
        return "new"
    if math.isnan(p_adj):
        return "n/a"
    if p_adj > alpha:
        return "ok"
    return "fail" if abs(delta) > margin else "within margin"
