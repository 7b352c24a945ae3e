"""KPIs of one replication, computed from its records (design.md section 6).

All functions are pure: records in, numbers out. Times are seconds.
Definitions (T = the channel's service-level ``within``):

* ``offered`` = contacts reaching the channel (including those self-service
  deflects); ``offered = answered + abandoned + deflected + in_system``.
* ``service_level`` = answered within T / (answered + abandoned): abandons count
  against. For a deferred channel the wait is counted in opening hours only, and
  items still in the backlog at the end whose age already exceeds T count against.
* ``service_level_answered`` = answered within T / answered.
* ``asa`` = mean wait of answered contacts; ``mean_wait`` = mean wait of answered
  and abandoned contacts (an abandoner waited until abandoning);
  ``mean_wait_abandoned`` = mean wait of abandoned contacts.
* ``p_wait`` = share of answered + abandoned contacts that waited at all.
* ``abandon_rate`` = abandoned / (answered + abandoned).
* ``aht`` = mean handle time plus wrap-up of answered contacts.
* deferred channels also: ``backlog_end`` (items waiting when the run ends),
  ``backlog_close`` (mean over days of the items waiting at closing time) and
  ``oldest_age_end`` (opening-hours age of the oldest item at the end).
* pools: ``occupancy`` = busy agent time / on-duty agent time (an agent holding at
  least one chat counts as busy); ``agent_hours`` = paid hours (scheduled plus
  overtime); ``cost`` = paid hours x cost per hour.
* pools also: ``absent_hours``, ``absent_share`` (absent / scheduled time),
  ``break_hours``, ``shrinkage_hours``.
* costs (see :mod:`ccsim.analysis.costs`): per channel ``cost`` (labour allocated
  by agent time, plus self-service and telephony); totals ``labour_cost``,
  ``self_service_cost``, ``telephony_cost``, ``cost`` (operating: their sum),
  ``customer_cost``, ``economic_cost`` (cost + customer cost),
  ``cost_per_contact`` = cost / answered, ``cost_per_resolved_issue`` = cost /
  resolved issues. Journey KPIs: see :mod:`ccsim.analysis.journeys`.

Contacts still in the system when the run ends are counted in ``in_system`` and
left out of the ratios above (except late deferred items). In a steady-state run
only contacts reaching the channel after the warm-up count, and pool times are
measured after the warm-up.
"""

from __future__ import annotations

import numpy as np

from ccsim.analysis.costs import channel_costs
from ccsim.analysis.derive import Derived, derive
from ccsim.analysis.journeys import JOURNEY_METRICS, Issues, journey_metrics
from ccsim.analysis.pools import paid_seconds, pool_times
from ccsim.records import ABANDONED, ANSWERED, DEFLECTED, IN_SYSTEM, RunRecords
from ccsim.scenario.schema import Scenario

__all__ = [
    "CHANNEL_METRICS",
    "DEFERRED_METRICS",
    "JOURNEY_METRICS",
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
    "cost",
)
DEFERRED_METRICS = ("backlog_end", "backlog_close", "oldest_age_end")
POOL_METRICS = (
    "occupancy",
    "agent_hours",
    "available_hours",
    "busy_hours",
    "absent_hours",
    "absent_share",
    "break_hours",
    "shrinkage_hours",
    "cost",
)
TOTAL_METRICS = (
    "offered",
    "answered",
    "abandoned",
    "deflected",
    "service_level",
    "abandon_rate",
    "labour_cost",
    "self_service_cost",
    "telephony_cost",
    "cost",
    "customer_cost",
    "economic_cost",
    "cost_per_contact",
    "cost_per_resolved_issue",
)


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else float("nan")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else float("nan")


def channel_metrics(
    d: Derived, mask: np.ndarray, within: float
) -> tuple[dict[str, float], int, int]:
    """Channel metrics over the contacts in *mask*; plus SL numerator and denominator."""
    out = d.outcome[mask]
    wait = d.wait[mask]
    ans = out == ANSWERED
    ab = out == ABANDONED
    n_ans, n_ab = int(ans.sum()), int(ab.sum())
    finished = ans | ab
    w_ans = wait[ans]
    w_fin = wait[finished]
    within_t = int((w_ans <= within).sum())
    metrics = {
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
    return metrics, within_t, n_ans + n_ab


def deferred_metrics(
    d: Derived, mask: np.ndarray, within: float, records: RunRecords
) -> tuple[dict[str, float], int, int]:
    """Service level in opening hours and backlog KPIs of a deferred channel."""
    cal = records.calendar
    metrics, _, _ = channel_metrics(d, mask, within)
    ans = mask & (d.outcome == ANSWERED)
    waiting = mask & (d.outcome == IN_SYSTEM) & ~np.isnan(d.arrival)
    business_wait = cal.business_time(d.answer[ans]) - cal.business_time(d.arrival[ans])
    end = records.end_time
    age = cal.business_time(np.full(int(waiting.sum()), end)) - cal.business_time(
        d.arrival[waiting]
    )
    within_t = int((business_wait <= within).sum())
    late = int((age > within).sum())
    closes = cal.day_length * np.arange(cal.days) + cal.close
    arr = np.sort(d.arrival[mask & ~np.isnan(d.arrival)])
    taken = np.sort(d.answer[ans])
    at_close = np.searchsorted(arr, closes, side="right") - np.searchsorted(
        taken, closes, side="right"
    )
    metrics.update(
        {
            "service_level": _ratio(within_t, int(ans.sum()) + late),
            "service_level_answered": _ratio(within_t, int(ans.sum())),
            "backlog_end": float(waiting.sum()),
            "backlog_close": float(at_close.mean()) if len(at_close) else float("nan"),
            "oldest_age_end": float(age.max()) if len(age) else 0.0,
        }
    )
    return metrics, within_t, int(ans.sum()) + late


def replication_kpis(
    records: RunRecords, scenario: Scenario, issues: Issues | None = None
) -> dict[tuple[str, str, str], float]:
    """Every KPI of one replication, keyed by ``(scope, name, metric)``.

    *scope* is ``channel``, ``pool``, ``journey`` or ``total``; *name* the channel
    or pool name (``all`` for totals and journeys).
    """
    d = derive(records)
    out: dict[tuple[str, str, str], float] = {}
    sl_num = sl_den = 0
    for code, name in enumerate(records.channels):
        ch = scenario.channels[name]
        mask = (d.channel == code) & d.counted
        within = ch.service_level.within
        if ch.kind == "deferred":
            metrics, num, den = deferred_metrics(d, mask, within, records)
        else:
            metrics, num, den = channel_metrics(d, mask, within)
        out.update({("channel", name, m): v for m, v in metrics.items()})
        sl_num, sl_den = sl_num + num, sl_den + den
    labour = _pool_kpis(records, scenario, d, out)
    costs = channel_costs(records, scenario, d, labour)
    for name, parts in costs.items():
        out[("channel", name, "cost")] = (
            parts["labour"] + parts["self_service"] + parts["telephony"]
        )
    journeys = journey_metrics(records, issues)
    out.update({("journey", "all", m): v for m, v in journeys.items()})
    _totals(records, out, costs, float(labour.sum()), journeys, sl_num, sl_den)
    return out


def _totals(
    records: RunRecords,
    out: dict[tuple[str, str, str], float],
    costs: dict[str, dict[str, float]],
    labour: float,
    journeys: dict[str, float],
    sl_num: int,
    sl_den: int,
) -> None:
    channels = records.channels

    def total_of(metric: str) -> float:
        return sum(out[("channel", n, metric)] for n in channels)

    def cost_of(part: str) -> float:
        return sum(parts[part] for parts in costs.values())

    answered, abandoned = total_of("answered"), total_of("abandoned")
    operating = labour + cost_of("self_service") + cost_of("telephony")
    resolved = journeys["resolved"] * journeys["issues"]
    out.update(
        {
            ("total", "all", "offered"): total_of("offered"),
            ("total", "all", "answered"): answered,
            ("total", "all", "abandoned"): abandoned,
            ("total", "all", "deflected"): total_of("deflected"),
            ("total", "all", "service_level"): _ratio(sl_num, sl_den),
            ("total", "all", "abandon_rate"): _ratio(abandoned, answered + abandoned),
            ("total", "all", "labour_cost"): labour,
            ("total", "all", "self_service_cost"): cost_of("self_service"),
            ("total", "all", "telephony_cost"): cost_of("telephony"),
            ("total", "all", "cost"): operating,
            ("total", "all", "customer_cost"): cost_of("customer"),
            ("total", "all", "economic_cost"): operating + cost_of("customer"),
            ("total", "all", "cost_per_contact"): _ratio(operating, answered),
            ("total", "all", "cost_per_resolved_issue"): _ratio(operating, resolved),
        }
    )


def _pool_kpis(
    records: RunRecords, scenario: Scenario, d: Derived, out: dict[tuple[str, str, str], float]
) -> np.ndarray:
    """Add the pool KPIs to *out*; return the labour cost per pool."""
    w0, w1 = d.window
    busy, on_duty = pool_times(records, np.array([w0, max(w1, w0)]))
    paid = paid_seconds(records, on_duty[:, 0])
    labour = np.zeros(len(records.pools))
    for p, name in enumerate(records.pools):
        labour[p] = paid[p] / 3600.0 * scenario.pools[name].cost_per_hour
        metrics = {
            "occupancy": _ratio(busy[p, 0], on_duty[p, 0]),
            "agent_hours": paid[p] / 3600.0,
            "available_hours": on_duty[p, 0] / 3600.0,
            "busy_hours": busy[p, 0] / 3600.0,
            "absent_hours": _at(records.absent_seconds, p) / 3600.0,
            "absent_share": _ratio(
                _at(records.absent_seconds, p), _at(records.scheduled_seconds, p)
            ),
            "break_hours": _at(records.break_seconds, p) / 3600.0,
            "shrinkage_hours": _at(records.shrinkage_seconds, p) / 3600.0,
            "cost": float(labour[p]),
        }
        out.update({("pool", name, m): v for m, v in metrics.items()})
    return labour


def _at(values: np.ndarray, p: int) -> float:
    return float(values[p]) if p < len(values) else 0.0
