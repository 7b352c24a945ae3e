"""Per-interval means and Student-t confidence intervals over replications.

The figures of the report show one value per interval of the day with a 95%
confidence band. Replications are the independent observations: each
replication is first reduced to one value per interval (for a single day, the
interval's own value; for the *average day*, a pooled value over all days), and
the band is the Student-t interval of those replication values (Law 2015,
section 9.4), the same statistic as the KPI summary.

Ratios are pooled over days as ratios of sums, not means of daily ratios: the
average-day service level is all contacts answered within T over all answered
and abandoned contacts of that interval across the days, so a quiet day does
not weigh as much as a busy one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "WEIGHTS",
    "end_label",
    "interval_labels",
    "interval_profile",
    "interval_profiles",
    "t_interval",
]

#: Per-interval ratios and the columns whose sum is their denominator. A ratio is
#: pooled over days as ``sum(value * weight) / sum(weight)``; other metrics
#: (volumes, mean queue length, agents) are averaged over days.
WEIGHTS: dict[str, tuple[str, ...]] = {
    "service_level": ("answered", "abandoned"),
    "service_level_answered": ("answered",),
    "asa": ("answered",),
    "mean_wait": ("answered", "abandoned"),
    "abandon_rate": ("answered", "abandoned"),
    "aht": ("answered",),
    "occupancy": ("on_duty",),
}

DAY_SECONDS = 86400.0


def t_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval ``mean ± t_{(1+level)/2, n-1} sd / sqrt(n)``; NaN where n < 2."""
    mean, sd, n = (np.asarray(a, dtype=float) for a in (mean, sd, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + level / 2.0, np.where(n >= 2, n - 1, np.nan))
        half = t * sd / np.sqrt(n)
    return mean - half, mean + half


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes and names of a column, in category order (or first appearance)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.astype(str))
        names = [str(c) for c in values.cat.categories if str(c) in present]
    else:
        names = [str(v) for v in pd.unique(values.astype(str))]
    codes = pd.Categorical(values.astype(str), categories=names).codes.astype(np.int64)
    return codes, names


def _cube(table: pd.DataFrame, metric: str, by: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Numerator and denominator per replication x day x name x interval.

    For a ratio in :data:`WEIGHTS` the numerator is ``sum(value * weight)`` and the
    denominator ``sum(weight)``; otherwise ``value`` and 1 (0 where undefined).
    """
    rows = table
    if "warmup" in rows.columns:
        rows = rows[~rows["warmup"].to_numpy(bool)]
    rep = rows["replication"].to_numpy() if "replication" in rows.columns else np.zeros(len(rows))
    reps, r = np.unique(rep, return_inverse=True)
    days, d = np.unique(rows["day"].to_numpy(), return_inverse=True)
    g, names = _codes(rows[by])
    intervals, k = np.unique(rows["interval"].to_numpy(), return_inverse=True)
    shape = (len(reps), len(days), len(names), len(intervals))
    flat = np.ravel_multi_index((r, d, g, k), shape)
    value = rows[metric].to_numpy(float)
    defined = ~np.isnan(value)
    weights = WEIGHTS.get(metric)
    if weights is not None and set(weights) <= set(rows.columns):
        weight = rows[list(weights)].to_numpy(float).sum(axis=1) * defined
    else:
        weight = defined.astype(float)
    size = int(np.prod(shape))
    num = np.bincount(flat, np.where(defined, value, 0.0) * weight, size).reshape(shape)
    den = np.bincount(flat, weight, size).reshape(shape)
    axes = {"days": days.astype(int), "names": names, "intervals": intervals.astype(int)}
    return num, den, axes


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _frame(per_rep: np.ndarray, axes: dict, by: str, level: float) -> pd.DataFrame:
    """Mean and Student-t CI over axis 0 of a replication x name x interval array."""
    n = (~np.isnan(per_rep)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(per_rep, axis=0) / np.where(n > 0, n, np.nan)
        sq = np.nansum((per_rep - mean) ** 2, axis=0)
        sd = np.sqrt(sq / np.where(n > 1, n - 1, np.nan))
    low, high = t_interval(mean, sd, n, level)
    names, intervals = axes["names"], axes["intervals"]
    return pd.DataFrame(
        {
            by: np.repeat(names, len(intervals)),
            "interval": np.tile(intervals, len(names)),
            "mean": mean.ravel(),
            "ci_low": low.ravel(),
            "ci_high": high.ravel(),
            "n": n.ravel(),
        }
    )


def interval_profiles(
    table: pd.DataFrame, metric: str, by: str, days: list[int | None], level: float = 0.95
) -> dict[int | None, pd.DataFrame]:
    """:func:`interval_profile` for several days at once (None: the average day)."""
    num, den, axes = _cube(table, metric, by)
    position = {int(day): i for i, day in enumerate(axes["days"])}
    out: dict[int | None, pd.DataFrame] = {}
    for day in days:
        if day is None:
            if metric in WEIGHTS:
                per_rep = _ratio(num.sum(axis=1), den.sum(axis=1))
            else:
                with np.errstate(invalid="ignore"):
                    per_rep = np.nanmean(_ratio(num, den), axis=1)
        elif day in position:
            per_rep = _ratio(num[:, position[day]], den[:, position[day]])
        else:
            per_rep = np.full((num.shape[0], *num.shape[2:]), np.nan)
        out[day] = _frame(per_rep, axes, by, level)
    return out


def interval_profile(
    table: pd.DataFrame,
    metric: str,
    by: str,
    *,
    day: int | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean and confidence interval of *metric* per *by* x interval of the day.

    Parameters
    ----------
    table
        ``intervals.parquet`` (``by="channel"``) or ``pool_intervals.parquet``
        (``by="pool"``): one row per replication x day x interval x channel or pool.
        Rows flagged ``warmup`` are left out. Without a ``replication`` column the
        table counts as one replication (no interval).
    metric
        A column of *table*, e.g. ``service_level`` [0-1], ``asa`` [s], ``offered``
        [contacts per interval], ``occupancy`` [0-1].
    by
        ``channel`` or ``pool``.
    day
        A day (0-based) or None for the average day (ratios pooled over days,
        see :data:`WEIGHTS`; other metrics averaged over the days).
    level
        Confidence level of the Student-t interval over replications.

    Returns
    -------
    pandas.DataFrame
        Columns *by*, ``interval``, ``mean``, ``ci_low``, ``ci_high``, ``n``
        (replications with a defined value): every name x interval, in category
        (or first-appearance) order of *by*, then by interval. Undefined values
        (no contacts, fewer than two replications for the CI) are NaN.
    """
    return interval_profiles(table, metric, by, [day], level)[day]


def _offsets(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, bool]:
    first = table.drop_duplicates("interval").sort_values("interval")
    offset = first["start"].to_numpy(float) - first["day"].to_numpy(float) * DAY_SECONDS
    steady = bool(len(offset)) and bool(offset.max() >= DAY_SECONDS)
    return first["interval"].to_numpy(int), offset, steady


def _label(sec: float, steady: bool) -> str:
    whole = math.floor(sec + 0.5)
    if steady:
        return f"{sec / 3600:g} h"
    if whole % 60:
        return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}"


def interval_labels(table: pd.DataFrame) -> dict[int, str]:
    """Label of each interval of the day: its clock time ``"08:30"``, or hours since the start.

    A finite horizon's days are 24 h long and ``start`` counts from the first
    day's midnight, so ``start - day * 86400`` is the time of day. A steady-state
    run has one long "day"; its intervals are labelled in hours since the start
    (``"36 h"``).
    """
    index, offset, steady = _offsets(table)
    return {int(k): _label(sec, steady) for k, sec in zip(index, offset, strict=True)}


def end_label(table: pd.DataFrame) -> str | None:
    """Label of the end of the last interval (its start plus the interval spacing).

    None with a single interval. A last interval cut short by the closing time is
    labelled as if it were whole (the tables do not record interval lengths).
    """
    _, offset, steady = _offsets(table)
    steps = np.diff(offset)
    steps = steps[steps > 0]
    if not len(steps):
        return None
    return _label(offset[-1] + float(steps.min()), steady)
