"""Intraday figures: one value per interval of the day, with a menu of single days.

Every per-interval figure shows the *average day* first and offers each single
day in a dropdown. All views have the same traces in the same order; the menu
swaps only their data (``restyle``), so a figure holds a few traces whatever
the number of days.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ccsim.report.aggregate import interval_profiles

__all__ = [
    "MAX_DAY_VIEWS",
    "Series",
    "Spec",
    "View",
    "add_views",
    "day_views",
    "hour_ticks",
    "names",
    "nums",
    "pairs",
    "profiles",
]

#: At most this many single days are offered in the day menu (after the average day).
MAX_DAY_VIEWS = 14

Spec = tuple[type, dict[str, Any], int | None]  # trace class, its properties, subplot row
Draw = Callable[[int | None], list[Spec]]
View = tuple[str, int | None]  # menu label, day (None: the average day)

#: Trace properties that differ between the views of a figure (swapped by the day menu).
VIEW_KEYS = ("x", "y", "z", "customdata")


def names(table: pd.DataFrame, column: str) -> list[str]:
    """Channel or pool names present in *table*, in category (or first-appearance) order."""
    values = table[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.astype(str).unique())
        return [str(c) for c in values.cat.categories if str(c) in present]
    return [str(v) for v in pd.unique(values.astype(str))]


def day_views(table: pd.DataFrame) -> list[View]:
    """The average day, then each day (at most :data:`MAX_DAY_VIEWS`); one view for one day."""
    days = sorted(int(d) for d in pd.unique(table["day"])) if "day" in table else [0]
    if len(days) <= 1:
        return [("", None)]
    return [("Average day", None)] + [(f"Day {d + 1}", d) for d in days[:MAX_DAY_VIEWS]]


Series = dict[str, np.ndarray]  # interval, mean, ci_low, ci_high of one channel or pool


def profiles(
    table: pd.DataFrame, metric: str, by: str, views: list[View]
) -> dict[int | None, dict[str, Series]]:
    """Per view (day) and channel or pool: the interval profile as numpy arrays."""
    out: dict[int | None, dict[str, Series]] = {}
    for day, frame in interval_profiles(table, metric, by, [d for _, d in views]).items():
        names = frame[by].to_numpy()
        cols = {c: frame[c].to_numpy() for c in ("interval", "mean", "ci_low", "ci_high")}
        out[day] = {
            str(name): {c: v[names == name] for c, v in cols.items()}
            for name in dict.fromkeys(names)
        }
    return out


def nums(values: Sequence[float] | pd.Series | np.ndarray) -> np.ndarray:
    """A float array (NaN where undefined: a gap in the line; null in JSON)."""
    return np.asarray(values, dtype=float)


def pairs(
    low: Sequence[float] | pd.Series | np.ndarray, high: Sequence[float] | pd.Series | np.ndarray
) -> np.ndarray:
    """Per point ``[low, high]`` (for ``customdata``)."""
    return np.column_stack([nums(low), nums(high)])


def add_views(fig: go.Figure, views: list[View], draw: Draw) -> go.Figure:
    """Add the traces of the first view; a menu swaps in the data of the others.

    Every view has the same traces in the same order; only their data
    (:data:`VIEW_KEYS`) differs, so the menu restyles the traces in place.
    """
    specs = [draw(day) for _, day in views]
    for cls, props, row in specs[0]:
        fig.add_trace(cls(**props), row=row, col=1 if row else None)
    if len(views) > 1:
        keys = [k for k in VIEW_KEYS if any(k in props for _, props, _ in specs[0])]
        buttons = [
            {
                "label": label,
                "method": "restyle",
                "args": [{k: [props.get(k) for _, props, _ in view] for k in keys}],
            }
            for (label, _), view in zip(views, specs, strict=True)
        ]
        fig.update_layout(
            updatemenus=[
                {
                    "buttons": buttons,
                    "active": 0,
                    "direction": "down",
                    "x": 1.0,
                    "xanchor": "right",
                    "y": 1.0,
                    "yanchor": "bottom",
                    "pad": {"b": 26},
                    "bgcolor": "white",
                    "bordercolor": "#d1d5db",
                    "font": {"size": 12},
                }
            ]
        )
    return fig


def hour_ticks(fig: go.Figure, labels: Mapping[int, str] | Sequence[str]) -> None:
    """At most about 12 ticks, on full hours when the intervals are shorter."""
    names = list(labels.values()) if isinstance(labels, Mapping) else list(labels)
    if len(names) <= 12:
        return
    hours = [x for x in names if x.endswith(":00") and len(x) == 5]
    ticks = hours if len(hours) >= 4 else names
    ticks = ticks[:: math.ceil(len(ticks) / 12)]
    fig.update_xaxes(tickmode="array", tickvals=ticks, ticktext=ticks)
