"""Calendars and arrival profiles: when the centre is open and when contacts come.

Pure numpy; no SimPy. The simulation clock is in seconds. In a finite horizon,
day ``d`` starts at ``d * 86400`` s (midnight) and the centre is open from
``open`` to ``close`` seconds after midnight, divided into reporting and staffing
intervals of equal length. A steady-state horizon is one long "day" that starts
at 0, is open throughout, and is divided into reporting intervals (the last one
may be shorter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Calendar", "poisson_arrival_times"]

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Calendar:
    """Days, opening hours and intervals of a horizon.

    Attributes
    ----------
    days
        Number of days (1 for a steady-state run).
    day_length
        Seconds from one day's start to the next (86400, or the whole run).
    open, close
        Opening and closing time [s after the day's start].
    interval
        Interval length [s].
    warmup
        Steady state only: the first *warmup* seconds are excluded from KPIs.
    steady
        True for a steady-state run.
    start_weekday
        Day of the week of the first day (0 = Monday).
    """

    days: int
    day_length: float
    open: float
    close: float
    interval: float
    warmup: float = 0.0
    steady: bool = False
    start_weekday: int = 0

    def weekday(self, day: int) -> int:
        """Day of the week of *day* (0 = Monday)."""
        return (self.start_weekday + day) % 7

    @property
    def intervals_per_day(self) -> int:
        """Number of intervals in a day's opening hours (the last may be partial)."""
        return math.ceil((self.close - self.open) / self.interval - 1e-9)

    @property
    def n_intervals(self) -> int:
        """Total number of intervals over the horizon."""
        return self.days * self.intervals_per_day

    def day_start(self, day: int) -> float:
        """Start of *day* [s]."""
        return day * self.day_length

    def interval_starts(self) -> np.ndarray:
        """Start times [s after the day's start] of the intervals of one day."""
        return self.open + self.interval * np.arange(self.intervals_per_day)

    def interval_lengths(self) -> np.ndarray:
        """Length [s] of each interval of one day (the last may be shorter)."""
        starts = self.interval_starts()
        return np.minimum(starts + self.interval, self.close) - starts

    def interval_index(self, t: np.ndarray) -> np.ndarray:
        """Global interval index ``day * intervals_per_day + k`` of times *t* [s].

        Times outside opening hours are clipped to the nearest interval of their day.
        """
        t = np.asarray(t, dtype=float)
        day = np.floor(t / self.day_length).astype(np.int64)
        day = np.clip(day, 0, self.days - 1)
        k = np.floor((t - day * self.day_length - self.open) / self.interval).astype(np.int64)
        k = np.clip(k, 0, self.intervals_per_day - 1)
        return day * self.intervals_per_day + k

    def business_time(self, t: np.ndarray) -> np.ndarray:
        """Opening time [s] elapsed from the start of the horizon until times *t* [s].

        The business-hours wait of an item that arrived at ``a`` and was taken at
        ``b`` is ``business_time(b) - business_time(a)``.
        """
        t = np.asarray(t, dtype=float)
        if self.steady:
            return t
        span = self.close - self.open
        day = np.floor(t / self.day_length)
        inside = np.clip(t - day * self.day_length - self.open, 0.0, span)
        return day * span + inside

    @property
    def end(self) -> float:
        """Closing time of the last day [s]."""
        return self.day_start(self.days - 1) + self.close


def poisson_arrival_times(
    rng: np.random.Generator,
    rates_per_hour: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
) -> np.ndarray:
    """Arrival times of a Poisson process with a piecewise-constant rate.

    Parameters
    ----------
    rng
        Generator to draw from.
    rates_per_hour
        Rate in each piece [contacts/h].
    starts, lengths
        Start [s] and length [s] of each piece; pieces must not overlap and must be
        in increasing order.

    Returns
    -------
    ndarray
        Sorted arrival times [s].

    Notes
    -----
    The count in each piece is Poisson with mean ``rate * length`` and, given the
    count, the times are independent and uniform on the piece: an exact sample of
    the non-homogeneous Poisson process, drawn with two numpy calls (Ross 2014,
    *Introduction to Probability Models*, §5.4).
    """
    means = np.asarray(rates_per_hour, dtype=float) * np.asarray(lengths, dtype=float) / 3600.0
    counts = rng.poisson(means)
    total = int(counts.sum())
    offsets = rng.random(total) * np.repeat(lengths, counts)
    return np.sort(np.repeat(starts, counts) + offsets)
