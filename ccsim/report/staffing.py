"""Figures of the agents: staffing per interval and occupancy per pool."""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ccsim.report.aggregate import end_label, interval_labels, interval_profiles
from ccsim.report.theme import MUTED, POOL_COLORS, new_figure, rgba, style
from ccsim.report.views import Spec, add_views, day_views, hour_ticks, names, nums, profiles

__all__ = ["OCCUPANCY_RANGE", "OCCUPANCY_SCALE", "occupancy_heatmap", "staffing_figure"]

#: Occupancy colours: pale below 50%, then yellow through red as slack runs out.
OCCUPANCY_SCALE = "YlOrRd"
OCCUPANCY_RANGE = (0.5, 1.0)


def staffing_figure(pool_intervals: pd.DataFrame) -> go.Figure:
    """Agents scheduled, on duty and busy per interval, one panel per pool.

    Parameters
    ----------
    pool_intervals
        ``pool_intervals.parquet``: ``scheduled`` (planned headcount), ``on_duty``
        (time-average agents logged in, after shrinkage) and ``busy`` (time-average
        agents handling contacts) [agents], averaged over days.

    Returns
    -------
    plotly.graph_objects.Figure
        Three ``scatter`` traces per pool, drawn as steps over each interval (the
        last step closed at the end of the last interval).
    """
    pools = names(pool_intervals, "pool")
    labels = interval_labels(pool_intervals)
    end = end_label(pool_intervals)
    views = day_views(pool_intervals)
    fig = make_subplots(
        figure=new_figure(),
        rows=len(pools),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
    )
    series = (  # column, legend name, line style, fill
        ("scheduled", "scheduled", {"color": MUTED, "dash": "dash", "shape": "hv"}, None),
        ("on_duty", "on duty", {"color": POOL_COLORS[0], "shape": "hv", "width": 2.2}, None),
        ("busy", "busy", {"color": POOL_COLORS[1], "shape": "hv", "width": 1}, "tozeroy"),
    )
    profs = {column: profiles(pool_intervals, column, "pool", views) for column, *_ in series}

    def draw(day: int | None) -> list[Spec]:
        out: list[Spec] = []
        for column, name, line, fill in series:
            prof = profs[column][day]
            for row, pool in enumerate(pools, start=1):
                x = [labels.get(k, str(k)) for k in prof[pool]["interval"]]
                y = nums(prof[pool]["mean"])
                if end is not None and len(y):  # close the last step
                    x, y = [*x, end], np.append(y, y[-1])
                out.append(
                    (
                        go.Scatter,
                        {
                            "x": x,
                            "y": y,
                            "name": name,
                            "legendgroup": name,
                            "showlegend": row == 1,
                            "mode": "lines",
                            "line": line,
                            "fill": fill,
                            "fillcolor": rgba(POOL_COLORS[1], 0.22) if fill else None,
                            "hovertemplate": f"{pool} {name}: %{{y:,.1f}}<extra></extra>",
                        },
                        row,
                    )
                )
        return out

    add_views(fig, views, draw)
    fig.update_xaxes(type="category")
    fig.update_xaxes(title_text="interval starting", row=len(pools), col=1)
    for row, pool in enumerate(pools, start=1):
        fig.update_yaxes(title_text=f"<b>{pool}</b> agents", row=row, col=1)
    fig.update_yaxes(tickformat=",.0f")
    hour_ticks(fig, [*labels.values(), *([end] if end else [])])
    fig.update_layout(hovermode="x unified")
    return style(
        fig,
        "Staffing: scheduled, on duty (after shrinkage) and busy agents",
        150 + 220 * len(pools),
    )


def occupancy_heatmap(pool_intervals: pd.DataFrame) -> go.Figure:
    """Occupancy (busy / on-duty agent time) per pool x interval as a heatmap.

    Parameters
    ----------
    pool_intervals
        ``pool_intervals.parquet`` (``occupancy`` [0-1], pooled over days weighted by
        ``on_duty``).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``heatmap`` trace, pools as rows (the first on top), colours from 50%
        (pale) to 100% (dark red); the hover shows the 95% CI.
    """
    pools = names(pool_intervals, "pool")
    labels = interval_labels(pool_intervals)
    views = day_views(pool_intervals)
    profs = interval_profiles(pool_intervals, "occupancy", "pool", [d for _, d in views])

    def draw(day: int | None) -> list[Spec]:
        prof = profs[day]
        wide = {
            c: prof.pivot(index="pool", columns="interval", values=c).reindex(pools[::-1])
            for c in ("mean", "ci_low", "ci_high")
        }
        z = wide["mean"]
        few = z.shape[1] <= 48
        return [
            (
                go.Heatmap,
                {
                    "z": z.to_numpy(float),
                    # the columns are the interval numbers (the stubs say str)
                    "x": [labels.get(k, str(k)) for k in cast("pd.Index[int]", z.columns)],
                    "y": list(z.index),
                    "zmin": OCCUPANCY_RANGE[0],
                    "zmax": OCCUPANCY_RANGE[1],
                    "colorscale": OCCUPANCY_SCALE,
                    "colorbar": {
                        "title": {"text": "occupancy"},
                        "tickformat": ".0%",
                        "tickvals": [0.5, 0.75, 1.0],
                        "ticktext": ["≤50%", "75%", "100%"],
                        "thickness": 12,
                    },
                    "texttemplate": "%{z:.0%}" if few else None,
                    "textfont": {"size": 10},
                    "customdata": np.dstack(
                        [wide["ci_low"].to_numpy(float), wide["ci_high"].to_numpy(float)]
                    ),
                    "hovertemplate": "%{y} %{x}: %{z:.1%} [%{customdata[0]:.1%}, "
                    "%{customdata[1]:.1%}]<extra></extra>",
                    "xgap": 1,
                    "ygap": 2,
                },
                None,
            )
        ]

    fig = add_views(new_figure(), views, draw)
    fig.update_xaxes(type="category", title_text="interval starting")
    fig.update_yaxes(type="category", rangemode=None)
    hour_ticks(fig, labels)
    return style(
        fig,
        "Occupancy by pool and interval (busy time / on-duty time)",
        170 + 46 * len(pools),
        legend=False,
    )
