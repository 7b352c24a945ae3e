"""The staffing a scenario plans, interval by interval, in expectation.

``ccsim staffing`` prints this table: for every day of the horizon (by day of the
week), interval and pool, the agents scheduled (shifts count in proportion to
the part of the interval they cover), those expected on a break, absent, and
lost to planned shrinkage, and the agents expected to be available for contacts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.scenario.schema import Scenario
from ccsim.scenario.workforce import DAY_NAMES, Pool
from ccsim.units import format_clock

__all__ = ["staffing_table"]


def _on_break(pool: Pool, starts: np.ndarray, ends: np.ndarray, weekday: int) -> np.ndarray:
    out = np.zeros(len(starts))
    for shift in pool.shifts or []:
        if not shift.runs_on(weekday):
            continue
        for begin, duration, _paid in shift.break_starts():
            overlap = np.minimum(ends, begin + duration) - np.maximum(starts, begin)
            out += np.clip(overlap, 0, None) / (ends - starts)
    return out


def staffing_table(scenario: Scenario) -> pd.DataFrame:
    """Expected staffing per day, interval and pool (see the module documentation)."""
    cal = scenario.calendar
    starts = cal.interval_starts()
    ends = starts + cal.interval_lengths()
    frames = []
    for day in range(cal.days):
        weekday = cal.weekday(day)
        for name, pool in scenario.pools.items():
            scheduled = pool.agents_per_interval(cal, weekday)
            present = 1.0 - pool.absenteeism
            on_break = _on_break(pool, starts, ends, weekday) * present
            absent = scheduled * pool.absenteeism
            working = scheduled - absent - on_break
            frames.append(
                pd.DataFrame(
                    {
                        "day": day,
                        "weekday": DAY_NAMES[weekday],
                        "interval": [format_clock(t) for t in starts],
                        "pool": name,
                        "scheduled": scheduled,
                        "on_break": on_break,
                        "absent": absent,
                        "shrinkage": working * pool.shrinkage,
                        "available": working * (1.0 - pool.shrinkage),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)
