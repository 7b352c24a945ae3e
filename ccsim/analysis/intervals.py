"""Per-interval KPIs of one replication: by channel and by pool.

A contact belongs to the interval in which it reached the channel (the usual
workforce management convention). Level statistics (queue length, agents on
duty, busy agents) are time averages over the interval; ``queue_end`` is the
number waiting (for a deferred channel: the backlog) at the interval's end.
``start`` and ``length`` are in seconds (``start`` from midnight of day 0);
``within`` counts the contacts answered within the service-level threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.analysis.derive import Derived, derive
from ccsim.analysis.pools import pool_times
from ccsim.analysis.timeweighted import period_time_between
from ccsim.records import ABANDONED, ANSWERED, DEFLECTED, RunRecords
from ccsim.scenario.schema import Scenario

__all__ = ["channel_intervals", "pool_intervals"]


def _grid(records: RunRecords) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    cal = records.calendar
    k = cal.intervals_per_day
    day = np.repeat(np.arange(cal.days), k)
    index = np.tile(np.arange(k), cal.days)
    start = day * cal.day_length + np.tile(cal.interval_starts(), cal.days)
    length = np.tile(cal.interval_lengths(), cal.days)
    return day, index, start, length


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _channel_block(
    d: Derived, records: RunRecords, code: int, within: float, n: int
) -> dict[str, np.ndarray]:
    sel = d.channel == code
    idx = records.calendar.interval_index(d.entered[sel])
    out = d.outcome[sel]
    wait = d.wait[sel]
    ans = out == ANSWERED
    ab = out == ABANDONED
    fin = ans | ab

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(idx[mask], weights=w, minlength=n).astype(float)

    offered = count(np.ones(len(idx), dtype=bool))
    answered, abandoned = count(ans), count(ab)
    deflected = count(out == DEFLECTED)
    within_t = count(ans & (np.nan_to_num(wait, nan=np.inf) <= within))
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "deflected": deflected,
        "within": within_t,
        "service_level": _div(within_t, answered + abandoned),
        "service_level_answered": _div(within_t, answered),
        "asa": _div(count(ans, wait), answered),
        "mean_wait": _div(count(fin, wait), answered + abandoned),
        "abandon_rate": _div(abandoned, answered + abandoned),
        "aht": _div(count(ans, d.work[sel]), answered),
    }


def channel_intervals(records: RunRecords, scenario: Scenario) -> pd.DataFrame:
    """One row per day x interval x channel with volumes, service and queue length."""
    d = derive(records)
    day, index, start, length = _grid(records)
    n = len(start)
    bounds = np.column_stack([start, start + length]).ravel()
    frames = []
    for code, name in enumerate(records.channels):
        block = _channel_block(d, records, code, scenario.channels[name].service_level.within, n)
        sel = (d.channel == code) & ~np.isnan(d.arrival)
        wait_end = d.arrival[sel] + np.nan_to_num(d.wait[sel], nan=0.0)
        still = np.isnan(d.wait[sel])
        wait_end[still] = records.end_time
        queue_time = period_time_between(d.arrival[sel], wait_end, bounds)[0::2]
        interval_end = start + length
        waiting_at_end = np.searchsorted(np.sort(d.arrival[sel]), interval_end, side="right")
        waiting_at_end -= np.searchsorted(np.sort(wait_end), interval_end, side="right")
        frame = pd.DataFrame(
            {
                "day": day,
                "interval": index,
                "start": start,
                "length": length,
                "channel": name,
                **block,
                "mean_queue": queue_time / length,
                "queue_end": waiting_at_end.astype(float),
            }
        )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["channel"] = pd.Categorical(out["channel"], categories=records.channels)
    out["warmup"] = out["start"] < records.calendar.warmup
    return out


def pool_intervals(records: RunRecords, scenario: Scenario) -> pd.DataFrame:
    """One row per day x interval x pool with scheduled, on-duty and busy agents."""
    day, index, start, length = _grid(records)
    busy, on_duty = pool_times(records, np.column_stack([start, start + length]).ravel())
    busy, on_duty = busy[:, 0::2], on_duty[:, 0::2]
    frames = []
    for p, name in enumerate(records.pools):
        frames.append(
            pd.DataFrame(
                {
                    "day": day,
                    "interval": index,
                    "start": start,
                    "length": length,
                    "pool": name,
                    "scheduled": records.scheduled[p].astype(float),
                    "on_duty": on_duty[p] / length,
                    "busy": busy[p] / length,
                    "occupancy": _div(busy[p], on_duty[p]),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["pool"] = pd.Categorical(out["pool"], categories=records.pools)
    out["warmup"] = out["start"] < records.calendar.warmup
    return out
