"""Small synthetic result tables in the saved schemas, for the report's tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = 86400.0
OPEN = 8 * 3600.0


def intervals(
    replications: int = 4,
    days: int = 2,
    per_day: int = 4,
    channels: tuple[str, ...] = ("voice", "chat"),
    seed: int = 1,
) -> pd.DataFrame:
    """``intervals.parquet``-like rows: replication x day x 30-min interval x channel."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(replications):
        for d in range(days):
            for k in range(per_day):
                for c, ch in enumerate(channels):
                    offered = float(rng.integers(20, 60) * (c + 1))
                    abandoned = float(rng.integers(0, 5))
                    answered = offered - abandoned
                    sl = float(rng.uniform(0.5, 1.0))
                    rows.append(
                        {
                            "replication": r,
                            "day": d,
                            "interval": k,
                            "start": d * DAY + OPEN + 1800.0 * k,
                            "channel": ch,
                            "offered": offered,
                            "answered": answered,
                            "abandoned": abandoned,
                            "service_level": sl,
                            "asa": float(rng.uniform(5, 40)) * (c + 1),
                            "abandon_rate": abandoned / offered,
                            "mean_queue": float(rng.uniform(0, 3)),
                            "warmup": False,
                        }
                    )
    frame = pd.DataFrame(rows)
    frame["channel"] = pd.Categorical(frame["channel"], categories=list(channels))
    return frame


def pool_intervals(
    replications: int = 4, days: int = 2, per_day: int = 4, pools: tuple[str, ...] = ("phone",)
) -> pd.DataFrame:
    """``pool_intervals.parquet``-like rows with known occupancy = busy / on_duty."""
    rng = np.random.default_rng(2)
    rows = []
    for r in range(replications):
        for d in range(days):
            for k in range(per_day):
                for p in pools:
                    scheduled = float(10 + k)
                    on_duty = scheduled * 0.75
                    busy = on_duty * float(rng.uniform(0.6, 0.95))
                    rows.append(
                        {
                            "replication": r,
                            "day": d,
                            "interval": k,
                            "start": d * DAY + OPEN + 1800.0 * k,
                            "pool": p,
                            "scheduled": scheduled,
                            "on_duty": on_duty,
                            "busy": busy,
                            "occupancy": busy / on_duty,
                            "warmup": False,
                        }
                    )
    frame = pd.DataFrame(rows)
    frame["pool"] = pd.Categorical(frame["pool"], categories=list(pools))
    return frame


def summary(
    sl: dict[str, tuple[float, float, float]] | None = None,
    pools: dict[str, float] | None = None,
) -> pd.DataFrame:
    """A tidy summary: channel KPIs (service level as given), pool costs and totals."""
    sl = sl or {"voice": (0.71, 0.65, 0.77), "chat": (0.9, 0.86, 0.94)}
    pools = pools or {"phone": 1000.0}
    rows = []
    for ch, (mean, low, high) in sl.items():
        rows += [
            ("channel", ch, "offered", 1000.0, 950.0, 1050.0),
            ("channel", ch, "answered", 900.0, 860.0, 940.0),
            ("channel", ch, "service_level", mean, low, high),
            ("channel", ch, "asa", 15.0, 12.0, 18.0),
            ("channel", ch, "abandon_rate", 0.05, 0.04, 0.06),
            ("channel", ch, "aht", 300.0, 290.0, 310.0),
        ]
    for pool, cost in pools.items():
        rows += [
            ("pool", pool, "cost", cost, cost * 0.99, cost * 1.01),
            ("pool", pool, "agent_hours", 100.0, 99.0, 101.0),
            ("pool", pool, "available_hours", 75.0, 74.0, 76.0),
            ("pool", pool, "busy_hours", 60.0, 59.0, 61.0),
            ("pool", pool, "occupancy", 0.8, 0.79, 0.81),
        ]
    total = sum(pools.values())
    rows += [
        ("total", "all", "offered", 1000.0 * len(sl), 1900.0, 2100.0),
        ("total", "all", "service_level", 0.8, 0.75, 0.85),
        ("total", "all", "abandon_rate", 0.05, 0.04, 0.06),
        ("total", "all", "cost", total, total * 0.99, total * 1.01),
        ("total", "all", "cost_per_contact", total / 1800.0, np.nan, np.nan),
    ]
    return pd.DataFrame(rows, columns=["scope", "name", "metric", "mean", "ci_low", "ci_high"])


SCENARIO = {
    "name": "synthetic",
    "description": "A <small> test centre & friends.",
    "channels": {
        "voice": {"service_level": {"target": 0.8, "within": 20.0}},
        "chat": {"service_level": {"target": 0.8, "within": 60.0}},
    },
    "costs": {"currency": "EUR"},
}

PROVENANCE = {
    "ccsim_version": "0.0.test",
    "seed": 7,
    "replications": 4,
    "scenario_sha256": "ab" * 32,
    "started_utc": "2026-11-23T10:00:00+00:00",
    "wall_seconds": 1.25,
    "command": "ccsim run synthetic.yaml",
}
