"""Agent time from records: busy periods, time on duty, paid hours.

Busy time is the union of each agent's contact periods (handling plus wrap-up;
an agent holding several chats is busy once), so occupancy never exceeds one.
Time on duty integrates the staffing log. Paid time is the scheduled time plus
overtime: time on duty outside opening hours (draining the queue after closing).
"""

from __future__ import annotations

import numpy as np

from ccsim.analysis.timeweighted import merge_periods, period_time_between, step_time_between
from ccsim.records import ANSWERED, RunRecords

__all__ = ["busy_periods", "interval_bounds", "paid_seconds", "pool_times"]


def busy_periods(records: RunRecords) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Busy periods per agent: ``(pool, start, end)``, chats of one agent merged."""
    c = records.contacts
    answered = c["outcome"] == ANSWERED
    pool = c["pool"][answered].astype(np.int64)
    agent = c["agent"][answered].astype(np.int64)
    start = c["answer"][answered]
    end = start + (c["handle"][answered] + c["wrap"][answered])  # the engine adds in this order
    n_agents = int(agent.max()) + 1 if len(agent) else 1
    g, s, e = merge_periods(pool * n_agents + agent, start, end)
    return g // n_agents, s, e


def pool_times(records: RunRecords, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Busy and on-duty agent time [s] per pool and window, shape (pools, windows)."""
    n_pools = len(records.pools)
    busy = np.zeros((n_pools, len(bounds) - 1))
    on_duty = np.zeros_like(busy)
    pool, start, end = busy_periods(records)
    for p in range(n_pools):
        sel = pool == p
        busy[p] = period_time_between(start[sel], end[sel], bounds)
        log = records.staffing_pool == p
        on_duty[p] = step_time_between(
            records.staffing_time[log], records.staffing_delta[log], bounds
        )
    return busy, on_duty


def paid_seconds(records: RunRecords, on_duty_total: np.ndarray) -> np.ndarray:
    """Paid agent time per pool [s]: the plan's paid time plus overtime.

    Overtime is time on duty outside opening hours (agents draining the queue
    after closing). In a steady-state run, only the measured part (after the
    warm-up) counts.
    """
    cal = records.calendar
    if cal.steady:
        return records.paid_seconds * (cal.close - cal.warmup) / cal.close
    bounds = interval_bounds(records)
    opening = np.zeros(len(records.pools))
    for p in range(len(records.pools)):
        log = records.staffing_pool == p
        in_intervals = step_time_between(
            records.staffing_time[log], records.staffing_delta[log], bounds
        )
        opening[p] = in_intervals[0::2].sum()
    return records.paid_seconds + np.maximum(on_duty_total - opening, 0.0)


def interval_bounds(records: RunRecords) -> np.ndarray:
    """Alternating [interval start, interval end] boundaries of every opening interval."""
    cal = records.calendar
    starts = (
        np.arange(cal.days)[:, None] * cal.day_length + cal.interval_starts()[None, :]
    ).ravel()
    ends = starts + np.tile(cal.interval_lengths(), cal.days)
    return np.column_stack([starts, ends]).ravel()
