"""KPIs of one replication, computed from its records (design.md section 6).

All functions are pure: records in, numbers or tables out. Times are seconds.
Definitions (T = the channel's service-level ``within``):

* ``service_level`` = answered within T / (answered + abandoned): abandons count against.
* ``service_level_answered`` = answered within T / answered.
* ``asa`` = mean wait of answered contacts; ``mean_wait`` = mean wait of answered
  and abandoned contacts (an abandoner waited until abandoning);
  ``mean_wait_abandoned`` = mean wait of abandoned contacts.
* ``p_wait`` = share of answered + abandoned contacts that waited at all.
* ``abandon_rate`` = abandoned / (answered + abandoned).
* ``aht`` = mean handle time plus wrap-up of answered contacts.
* ``occupancy`` = busy agent time / on-duty agent time (an agent holding at least
  one chat counts as busy).

Contacts still in the system when the run ends are counted in ``in_system`` and
left out of the ratios above. In a steady-state run only contacts arriving after
the warm-up count, and pool times are measured after the warm-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.analysis.timeweighted import merge_periods, period_time_between, step_time_between
from ccsim.records import ABANDONED, ANSWERED, DEFLECTED, IN_SYSTEM, RunRecords
from ccsim.scenario.schema import Scenario

__all__ = [
    "CHANNEL_METRICS",
    "POOL_METRICS",
    "TOTAL_METRICS",
    "Derived",
    "derive",
    "replication_kpis",
]

CHANNEL_METRICS = (
    "offered",
    "answered",
    "abandoned",
    "deflected",
    "in_system",
    "service_level",
    "service_level_answered",
    "asa",
    "mean_wait",
    "mean_wait_abandoned",
    "p_wait",
    "abandon_rate",
    "aht",
    "max_wait",
)
POOL_METRICS = ("occupancy", "agent_hours", "available_hours", "busy_hours", "cost")
TOTAL_METRICS = (
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "abandon_rate",
    "cost",
    "cost_per_contact",
    "cost_per_resolved_issue",
)


@dataclass(frozen=True, slots=True)
class Derived:
    """Per-contact quantities derived once from the records."""

    channel: np.ndarray
    outcome: np.ndarray
    arrival: np.ndarray
    wait: np.ndarray
    work: np.ndarray
    counted: np.ndarray
    window: tuple[float, float]


def derive(records: RunRecords) -> Derived:
    """Waits, work (handle + wrap-up) and the measurement window of a run."""
    c = records.contacts
    outcome = c["outcome"]
    arrival = c["arrival"]
    wait = np.full(len(arrival), np.nan)
    answered = outcome == ANSWERED
    abandoned = outcome == ABANDONED
    wait[answered] = c["answer"][answered] - arrival[answered]
    wait[abandoned] = c["end"][abandoned] - arrival[abandoned]
    work = np.where(answered, c["handle"] + c["wrap"], np.nan)
    cal = records.calendar
    start = cal.warmup if cal.steady else 0.0
    counted = arrival >= start
    return Derived(c["channel"], outcome, arrival, wait, work, counted, (start, records.end_time))


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else float("nan")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else float("nan")


def channel_metrics(d: Derived, mask: np.ndarray, within: float) -> dict[str, float]:
    """The channel metrics over the contacts selected by *mask*."""
    out = d.outcome[mask]
    wait = d.wait[mask]
    ans = out == ANSWERED
    ab = out == ABANDONED
    n_ans, n_ab = int(ans.sum()), int(ab.sum())
    finished = ans | ab
    w_ans = wait[ans]
    w_fin = wait[finished]
    within_t = int((w_ans <= within).sum())
    return {
        "offered": float(len(out)),
        "answered": float(n_ans),
        "abandoned": float(n_ab),
        "deflected": float((out == DEFLECTED).sum()),
        "in_system": float((out == IN_SYSTEM).sum()),
        "service_level": _ratio(within_t, n_ans + n_ab),
        "service_level_answered": _ratio(within_t, n_ans),
        "asa": _mean(w_ans),
        "mean_wait": _mean(w_fin),
        "mean_wait_abandoned": _mean(wait[ab]),
        "p_wait": _ratio(int((w_fin > 0).sum()), n_ans + n_ab),
        "abandon_rate": _ratio(n_ab, n_ans + n_ab),
        "aht": _mean(d.work[mask][ans]),
        "max_wait": float(w_fin.max()) if len(w_fin) else float("nan"),
    }


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


def _paid_seconds(records: RunRecords, on_duty_total: np.ndarray) -> np.ndarray:
    """Scheduled agent time plus overtime (on duty outside opening hours) per pool [s]."""
    cal = records.calendar
    lengths = np.tile(cal.interval_lengths(), cal.days)
    if cal.steady:
        starts = cal.interval_starts()
        inside = np.clip(
            np.minimum(starts + lengths, cal.close) - np.maximum(starts, cal.warmup), 0, None
        )
        return (records.scheduled * inside).sum(axis=1)
    scheduled = (records.scheduled * lengths).sum(axis=1)
    bounds = _interval_bounds(records)
    opening = np.zeros(len(records.pools))
    for p in range(len(records.pools)):
        log = records.staffing_pool == p
        in_intervals = step_time_between(
            records.staffing_time[log], records.staffing_delta[log], bounds
        )
        opening[p] = in_intervals[0::2].sum()
    return scheduled + np.maximum(on_duty_total - opening, 0.0)


def _interval_bounds(records: RunRecords) -> np.ndarray:
    """Alternating [interval start, interval end] boundaries of every opening interval."""
    cal = records.calendar
    starts = (
        np.arange(cal.days)[:, None] * cal.day_length + cal.interval_starts()[None, :]
    ).ravel()
    ends = starts + np.tile(cal.interval_lengths(), cal.days)
    return np.column_stack([starts, ends]).ravel()


def replication_kpis(records: RunRecords, scenario: Scenario) -> dict[tuple[str, str, str], float]:
    """Every KPI of one replication, keyed by ``(scope, name, metric)``.

    *scope* is ``channel``, ``pool`` or ``total``; *name* the channel or pool name
    (``all`` for totals).
    """
    d = derive(records)
    out: dict[tuple[str, str, str], float] = {}
    within_all = 0
    finished_all = 0
    for code, name in enumerate(records.channels):
        ch = scenario.channels[name]
        mask = (d.channel == code) & d.counted
        for metric, value in channel_metrics(d, mask, ch.service_level.within).items():
            out[("channel", name, metric)] = value
        w = d.wait[mask][d.outcome[mask] == ANSWERED]
        within_all += int((w <= ch.service_level.within).sum())
        finished_all += int(
            out[("channel", name, "answered")] + out[("channel", name, "abandoned")]
        )
    w0, w1 = d.window
    busy, on_duty = pool_times(records, np.array([w0, max(w1, w0)]))
    paid = _paid_seconds(records, on_duty[:, 0])
    total_cost = 0.0
    for p, name in enumerate(records.pools):
        cost = paid[p] / 3600.0 * scenario.pools[name].cost_per_hour
        total_cost += cost
        out[("pool", name, "occupancy")] = _ratio(busy[p, 0], on_duty[p, 0])
        out[("pool", name, "agent_hours")] = paid[p] / 3600.0
        out[("pool", name, "available_hours")] = on_duty[p, 0] / 3600.0
        out[("pool", name, "busy_hours")] = busy[p, 0] / 3600.0
        out[("pool", name, "cost")] = cost
    answered = sum(out[("channel", n, "answered")] for n in records.channels)
    abandoned = sum(out[("channel", n, "abandoned")] for n in records.channels)
    out[("total", "all", "offered")] = sum(out[("channel", n, "offered")] for n in records.channels)
    out[("total", "all", "answered")] = answered
    out[("total", "all", "abandoned")] = abandoned
    out[("total", "all", "service_level")] = _ratio(within_all, finished_all)
    out[("total", "all", "abandon_rate")] = _ratio(abandoned, answered + abandoned)
    out[("total", "all", "cost")] = total_cost
    out[("total", "all", "cost_per_contact")] = _ratio(total_cost, answered)
    out[("total", "all", "cost_per_resolved_issue")] = _ratio(total_cost, answered)
    return out
