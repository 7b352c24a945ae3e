"""Time-weighted statistics from records: busy time, agents on duty, queue length.

Occupancy and queue length are *level* statistics (time averages), unlike waits,
which are per-contact *tally* statistics. They are computed after the run from
the contact records and the staffing log, vectorised with numpy: nothing is
measured inside the event loop.

The workhorse is the integral of a sum of unit "on" periods ``[a_i, b_i)`` over
``[0, B]``, ``F(B) = sum_i max(0, min(b_i, B) - a_i)``, evaluated at all interval
boundaries at once with sorted prefix sums.
"""

from __future__ import annotations

import numpy as np

__all__ = ["merge_periods", "period_time_between", "step_time_between"]


def period_time_between(start: np.ndarray, end: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Total time covered by periods ``[start_i, end_i)`` within each ``[bounds_k, bounds_k+1)``.

    Overlapping periods count twice (use :func:`merge_periods` first for a union).

    Parameters
    ----------
    start, end
        Period starts and ends [s], ``end >= start``.
    bounds
        Increasing boundaries [s], length K + 1.

    Returns
    -------
    ndarray
        Length K: covered time [s] per window.
    """
    a = np.sort(np.asarray(start, dtype=float))
    b = np.sort(np.asarray(end, dtype=float))
    bounds = np.asarray(bounds, dtype=float)
    cum_a = np.concatenate(([0.0], np.cumsum(a)))
    cum_b = np.concatenate(([0.0], np.cumsum(b)))
    na = np.searchsorted(a, bounds, side="left")
    nb = np.searchsorted(b, bounds, side="left")
    total = (na * bounds - cum_a[na]) - (nb * bounds - cum_b[nb])
    # Differences of cumulative sums can come out a few ulps below zero.
    return np.maximum(np.diff(total), 0.0)


def step_time_between(
    times: np.ndarray, deltas: np.ndarray, bounds: np.ndarray, initial: float = 0.0
) -> np.ndarray:
    """Integral of a step function over windows.

    The function starts at *initial* and jumps by ``deltas[i]`` at ``times[i]``.

    Returns
    -------
    ndarray
        Length ``len(bounds) - 1``: integral [value x s] over each window.
    """
    order = np.argsort(times, kind="stable")
    t = np.asarray(times, dtype=float)[order]
    d = np.asarray(deltas, dtype=float)[order]
    bounds = np.asarray(bounds, dtype=float)
    cum_d = np.concatenate(([0.0], np.cumsum(d)))
    cum_dt = np.concatenate(([0.0], np.cumsum(d * t)))
    n = np.searchsorted(t, bounds, side="left")
    total = initial * bounds + cum_d[n] * bounds - cum_dt[n]
    return np.diff(total)


def merge_periods(
    group: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of overlapping periods within each group (e.g. one agent's chats).

    Parameters
    ----------
    group
        Integer group of each period (e.g. a global agent number).
    start, end
        Period bounds [s].

    Returns
    -------
    group, start, end
        The merged, non-overlapping periods, sorted by group then start.
    """
    if len(start) == 0:
        empty = np.empty(0)
        return np.empty(0, dtype=np.int64), empty, empty
    order = np.lexsort((start, group))
    g = np.asarray(group)[order]
    s = np.asarray(start, dtype=float)[order]
    e = np.asarray(end, dtype=float)[order]
    new_group = np.concatenate(([True], g[1:] != g[:-1]))
    # Running maximum of ends within each group: reset at group starts.
    seg = np.cumsum(new_group) - 1
    shift = np.zeros(seg[-1] + 1)
    span = max(float(e.max() - s.min()), 1.0) * 2.0
    shift[:] = np.arange(seg[-1] + 1) * span
    e_shift = e + shift[seg]
    s_shift = s + shift[seg]
    run_max = np.maximum.accumulate(e_shift)
    prev = np.concatenate(([-np.inf], run_max[:-1]))
    starts_new = (s_shift > prev) | new_group
    idx = np.flatnonzero(starts_new)
    merged_end = np.maximum.reduceat(e_shift, idx) - shift[seg[idx]]
    return g[idx], s[idx], merged_end
