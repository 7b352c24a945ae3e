"""Significance tests for comparing replications: Welch, paired t and Holm's correction.

Pure functions of replication values, used by the regression check
(:mod:`ccsim.experiments.regression`).

References
----------
Holm, S. (1979). A simple sequentially rejective multiple test procedure.
*Scandinavian Journal of Statistics* 6(2), 65-70.
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill:
section 10.2 (paired-t and Welch comparisons of two systems).
Welch, B. L. (1947). The generalization of "Student's" problem when several
different population variances are involved. *Biometrika* 34, 28-35.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy import stats

__all__ = ["holm", "paired_pvalue", "welch_pvalue"]


def welch_pvalue(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided p-value of Welch's t-test of ``mean(y) == mean(x)``.

    NaN values are dropped. Returns NaN when either sample has fewer than two
    values; when both samples are constant, 1 if they are equal and 0 otherwise.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if len(x) < 2 or len(y) < 2:
        return math.nan
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return 1.0 if x[0] == y[0] else 0.0
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    t = (y.mean() - x.mean()) / math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    return float(min(1.0, 2.0 * stats.t.sf(abs(t), df)))


def paired_pvalue(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided p-value of the paired t-test of ``mean(y - x) == 0``.

    Pairs where either value is NaN are dropped. Returns NaN with fewer than two
    pairs; when all differences are equal, 1 if they are zero and 0 otherwise.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) != len(y):
        raise ValueError(f"a paired test needs samples of equal size, not {len(x)} and {len(y)}")
    d = y - x
    d = d[~np.isnan(d)]
    if len(d) < 2:
        return math.nan
    if np.ptp(d) == 0:
        return 1.0 if d[0] == 0 else 0.0
    t = d.mean() / (d.std(ddof=1) / math.sqrt(len(d)))
    return float(min(1.0, 2.0 * stats.t.sf(abs(t), len(d) - 1)))


def holm(pvalues: Iterable[float]) -> np.ndarray:
    """Holm-adjusted p-values (reject where the adjusted value is at most alpha).

    ``adj_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))`` over the p-values sorted
    ascending; NaN entries are left NaN and not counted in ``m``.
    """
    p = np.asarray(list(pvalues), dtype=float)
    out = np.full(len(p), np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = len(idx)
    if m == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out
