"""Per-contact quantities derived once from a run's records (waits, work, window)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.records import ABANDONED, ANSWERED, RunRecords

__all__ = ["Derived", "derive"]


@dataclass(frozen=True, slots=True)
class Derived:
    """Per-contact quantities derived once from the records."""

    channel: np.ndarray
    outcome: np.ndarray
    entered: np.ndarray
    arrival: np.ndarray
    answer: np.ndarray
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
    return Derived(
        c["channel"],
        outcome,
        c["entered"],
        arrival,
        c["answer"],
        wait,
        work,
        c["entered"] >= start,
        (start, records.end_time),
    )
