"""Statistics over independent replications: means, Student-t intervals, paired differences.

References
----------
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill:
section 9.4 (fixed-sample-size confidence intervals from independent
replications) and section 10.2 (paired-t comparison of two systems with common
random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Estimate", "estimate", "paired_difference", "t_halfwidth"]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over replications with its confidence interval.

    Attributes
    ----------
    mean
        Sample mean over the replications where the value is defined.
    low, high
        Confidence interval; NaN when fewer than two values.
    n
        Number of replications with a defined (non-NaN) value.
    sd
        Sample standard deviation.
    """

    mean: float
    low: float
    high: float
    n: int
    sd: float

    @property
    def halfwidth(self) -> float:
        """Half the width of the interval."""
        return (self.high - self.low) / 2.0


def t_halfwidth(sd: float, n: int, level: float = 0.95) -> float:
    """Half-width of the Student-t interval ``t_{(1+level)/2, n-1} * sd / sqrt(n)``."""
    if n < 2 or not math.isfinite(sd):
        return float("nan")
    return float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * sd / math.sqrt(n)


def estimate(values: np.ndarray | list[float], level: float = 0.95) -> Estimate:
    """Mean and Student-t confidence interval of independent replication values.

    NaN values (a KPI undefined in a replication, e.g. the mean wait of abandoned
    contacts when nobody abandoned) are left out and reduce *n*.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        nan = float("nan")
        return Estimate(nan, nan, nan, 0, nan)
    mean = float(x.mean())
    if n == 1:
        return Estimate(mean, float("nan"), float("nan"), 1, float("nan"))
    sd = float(x.std(ddof=1))
    h = t_halfwidth(sd, n, level)
    return Estimate(mean, mean - h, mean + h, n, sd)


def paired_difference(
    a: np.ndarray | list[float], b: np.ndarray | list[float], level: float = 0.95
) -> Estimate:
    """Paired-t interval of ``mean(b - a)`` over replications run with the same seeds.

    With common random numbers the two systems' replication values are positively
    correlated, and the variance of the difference is much smaller than for
    independent runs (Law 2015, section 11.2).
    """
    x = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return estimate(x, level)
