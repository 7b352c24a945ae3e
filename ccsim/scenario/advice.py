"""Warnings about scenarios that are valid but probably not what was meant."""

from __future__ import annotations

import numpy as np

from ccsim.scenario.common import Problem
from ccsim.scenario.schema import Scenario
from ccsim.units import format_clock

__all__ = ["scenario_warnings"]

_FULL = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True values."""
    out, start = [], None
    for k, flag in enumerate([*mask.tolist(), False]):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            out.append((start, k - 1))
            start = None
    return out


def scenario_warnings(sc: Scenario) -> list[Problem]:
    """Opening intervals where a channel has arrivals but no pool has an agent for it."""
    cal = sc.calendar
    if cal.steady:
        return []
    starts = cal.interval_starts()
    ends = starts + cal.interval_lengths()
    rates = sc.base_rates()
    out: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    for day in range(cal.days):
        weekday = cal.weekday(day)
        for name, ch in sc.channels.items():
            if (name, weekday) in seen or ch.arrivals.day_factor(day) == 0:
                continue
            seen.add((name, weekday))
            staffed = sum(
                (sc.pools[p].agents_per_interval(cal, weekday) for p in sc.pools_serving(name)),
                np.zeros(len(starts)),
            )
            for first, last in _runs((rates[name] > 0) & (staffed <= 0)):
                out.append(
                    (
                        ("channels", name),
                        f"no agent is scheduled for {name!r} on {_FULL[weekday]} "
                        f"{format_clock(starts[first])}-{format_clock(ends[last])}, which has "
                        "arrivals; its contacts will wait or abandon",
                    )
                )
    return out
