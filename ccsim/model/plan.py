"""The staffing plan of one replication: who is on duty when, and when breaks fall due.

A pure function of the scenario and the replication's random streams (numpy
only). For each pool and day it draws absenteeism (stream ``absent/<pool>``: one
draw per scheduled agent and day), applies planned shrinkage by stochastic
rounding per interval (stream ``shrinkage/<pool>``), and lists:

* the changes of the number of agents available for contacts, ``(time, n)``;
* the breaks that fall due, ``(time, duration)``, staggered over their windows
  among the shift's agents who came to work;
* paid, absent and break time, for costs.

Agents scheduled outside opening hours are paid but never take contacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ccsim.profiles import Calendar
from ccsim.rng import RandomStreams
from ccsim.scenario.schema import Scenario
from ccsim.scenario.workforce import Pool, Shift

__all__ = ["PoolPlan", "staffing_plan"]


@dataclass(slots=True)
class PoolPlan:
    """The realised schedule of one pool over the horizon.

    Attributes
    ----------
    changes
        ``(time [s], agents available for contacts)``, in time order.
    breaks
        ``(time due [s], duration [s])``, in time order.
    scheduled
        Scheduled agents per interval (average over the interval for shifts).
    scheduled_seconds, paid_seconds, absent_seconds, break_seconds, shrinkage_seconds
        Scheduled agent time (whole shifts); paid agent time; scheduled time lost
        to absence; to breaks; to planned shrinkage (expected) [s].
    """

    changes: list[tuple[float, int]] = field(default_factory=list)
    breaks: list[tuple[float, float]] = field(default_factory=list)
    scheduled: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scheduled_seconds: float = 0.0
    paid_seconds: float = 0.0
    absent_seconds: float = 0.0
    break_seconds: float = 0.0
    shrinkage_seconds: float = 0.0


def _round(expected: np.ndarray, u: np.ndarray) -> np.ndarray:
    base = np.floor(expected + 1e-9)
    return (base + (u < expected - base)).astype(np.int64)


def _interval_day(
    pool: Pool,
    cal: Calendar,
    weekday: int,
    rng_abs: np.random.Generator,
    rng_shr: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Available agents per interval of one day, present agents, paid seconds."""
    n = pool.agents_per_interval(cal, weekday).astype(np.int64)
    absent = rng_abs.random(int(n.max(initial=0))) < pool.absenteeism
    present = n - np.array([absent[:k].sum() for k in n], dtype=np.int64)
    lengths = cal.interval_lengths()
    u = rng_shr.random(len(n))
    avail = _round(present * (1.0 - pool.shrinkage), u) if pool.shrinkage else present
    paid_agents = n if pool.absent_paid else present
    return avail, present, float((paid_agents * lengths).sum())


def _shift_day(
    pool: Pool,
    cal: Calendar,
    weekday: int,
    day_start: float,
    plan: PoolPlan,
    rng_abs: np.random.Generator,
    rng_shr: np.random.Generator,
) -> list[tuple[float, int]]:
    """Changes of available agents over one day of shifts; adds breaks and paid time."""
    edges = {cal.open, cal.close}
    spans: list[tuple[Shift, int]] = []
    for shift in pool.shifts or []:
        if not shift.runs_on(weekday):
            continue
        present = int((rng_abs.random(shift.agents) >= pool.absenteeism).sum())
        spans.append((shift, present))
        paid = shift.agents if pool.absent_paid else present
        plan.scheduled_seconds += shift.agents * (shift.end - shift.start)
        plan.paid_seconds += paid * (shift.end - shift.start)
        plan.absent_seconds += (shift.agents - present) * (shift.end - shift.start)
        staggered = shift.model_copy(update={"agents": present}).break_starts()
        for start, duration, is_paid in staggered:
            plan.break_seconds += duration
            if not is_paid:
                plan.paid_seconds -= duration
            if cal.open <= start < cal.close:
                plan.breaks.append((day_start + start, duration))
        edges.update(t for t in (shift.start, shift.end) if cal.open < t < cal.close)
    edges.update(cal.interval_starts().tolist())
    points = sorted(t for t in edges if cal.open <= t < cal.close)
    u = rng_shr.random(cal.intervals_per_day)
    out = []
    for t in points:
        present = sum(m for s, m in spans if s.start <= t < s.end)
        k = min(int((t - cal.open) // cal.interval), cal.intervals_per_day - 1)
        avail = present
        if pool.shrinkage:
            avail = int(_round(np.array([present * (1.0 - pool.shrinkage)]), u[k : k + 1])[0])
        out.append((day_start + t, avail))
    return out


def staffing_plan(scenario: Scenario, calendar: Calendar, streams: RandomStreams) -> list[PoolPlan]:
    """The realised schedule of every pool for one replication (see the module doc)."""
    plans = []
    lengths = calendar.interval_lengths()
    for name, pool in scenario.pools.items():
        plan = PoolPlan()
        rng_abs = streams.get(f"absent/{name}")
        rng_shr = streams.get(f"shrinkage/{name}")
        scheduled = []
        for day in range(calendar.days):
            weekday = calendar.weekday(day)
            start = calendar.day_start(day)
            sched = pool.agents_per_interval(calendar, weekday)
            scheduled.append(sched)
            if pool.shifts is None:
                avail, present, paid = _interval_day(pool, calendar, weekday, rng_abs, rng_shr)
                plan.paid_seconds += paid
                plan.scheduled_seconds += float((sched * lengths).sum())
                plan.absent_seconds += float(((sched - present) * lengths).sum())
                times = start + calendar.interval_starts()
                plan.changes += list(zip(times.tolist(), avail.tolist(), strict=True))
                present_time = float((present * lengths).sum())
            else:
                plan.changes += _shift_day(pool, calendar, weekday, start, plan, rng_abs, rng_shr)
                present_time = float((sched * lengths).sum()) * (1.0 - pool.absenteeism)
            plan.shrinkage_seconds += pool.shrinkage * present_time
        plan.scheduled = np.concatenate(scheduled)
        plan.breaks.sort()
        plans.append(plan)
    return plans
