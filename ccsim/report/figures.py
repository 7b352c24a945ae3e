"""Plotly figures of a simulation's results, built from the saved tables.

Every builder takes pandas DataFrames in the documented result schemas and
returns a :class:`plotly.graph_objects.Figure`; none runs a simulation.

* ``intervals`` -- ``intervals.parquet``: one row per replication x day x
  interval x channel (``offered``, ``answered``, ``service_level``, ``asa``,
  ``abandon_rate``, ``mean_queue``, ...).
* ``pool_intervals`` -- ``pool_intervals.parquet``: one row per replication x
  day x interval x pool (``scheduled``, ``on_duty``, ``busy``, ``occupancy``).
* ``summary`` -- the tidy summary (``SimulationResult.summary()``, or
  :func:`ccsim.report.data.summary_frame` of ``summary.json``): columns
  ``scope, name, metric, mean, ci_low, ci_high``.

Per-interval figures show the *average day* (ratios pooled over days) with a
dropdown to pick a single day; the shaded band is the 95% Student-t interval
over replications (:func:`ccsim.report.aggregate.interval_profile`). A planner
reads an intraday profile against the opening hours, and the average day is
where a recurring gap in the plan shows; the single days show how much worse
the busiest day is.

This module holds the channel figures and re-exports the others: staffing and
occupancy (:mod:`ccsim.report.staffing`), the KPI table and cost breakdown
(:mod:`ccsim.report.tables`), comparisons, frontiers and journeys
(:mod:`ccsim.report.studies`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ccsim.report.aggregate import interval_labels
from ccsim.report.staffing import occupancy_heatmap, staffing_figure
from ccsim.report.studies import compare_figure, frontier_figure, journey_sankey, pareto_mask
from ccsim.report.tables import cost_figure, kpi_table, sl_verdict
from ccsim.report.theme import MUTED, color_map, fmt_duration, fmt_pct, new_figure, rgba, style
from ccsim.report.views import (
    MAX_DAY_VIEWS,
    Series,
    Spec,
    add_views,
    day_views,
    hour_ticks,
    names,
    nums,
    pairs,
    profiles,
)

__all__ = [
    "MAX_DAY_VIEWS",
    "abandonment_figure",
    "asa_figure",
    "compare_figure",
    "cost_figure",
    "frontier_figure",
    "journey_sankey",
    "kpi_table",
    "occupancy_heatmap",
    "pareto_mask",
    "queue_figure",
    "service_level_figure",
    "sl_verdict",
    "staffing_figure",
    "volume_figure",
]

Targets = Mapping[str, Mapping[str, float]]

_FORMATS = {  # y-axis tick format and hover format per kind of metric
    "pct": (".0%", ".1%"),
    "s": (",.0f", ",.1f"),
    "num": (",.1f", ",.2f"),
    "count": (",.0f", ",.1f"),
}


def _band(prof: Series, labels: Mapping[int, str], name: str, color: str, kind: str) -> list[Spec]:
    """Lower and upper CI edges (filled between) and the mean line, for one series.

    The band is clipped to the metric's range (shares to [0, 1], the rest to >= 0);
    the hover shows the unclipped interval.
    """
    x = [labels.get(k, str(k)) for k in prof["interval"]]
    hover = _FORMATS[kind][1]
    top = 1.0 if kind == "pct" else np.inf  # shares cannot leave [0, 1], counts go below 0
    low, high = np.clip(prof["ci_low"], 0.0, top), np.clip(prof["ci_high"], 0.0, top)
    edge = {
        "mode": "lines",
        "line": {"width": 0},
        "hoverinfo": "skip",
        "showlegend": False,
        "legendgroup": name,
    }
    return [
        (go.Scatter, {"x": x, "y": nums(low), **edge}, None),
        (
            go.Scatter,
            {"x": x, "y": nums(high), "fill": "tonexty", "fillcolor": rgba(color, 0.18), **edge},
            None,
        ),
        (
            go.Scatter,
            {
                "x": x,
                "y": nums(prof["mean"]),
                "name": name,
                "legendgroup": name,
                "mode": "lines+markers",
                "line": {"color": color, "width": 2.2},
                "marker": {"size": 5},
                "customdata": pairs(prof["ci_low"], prof["ci_high"]),
                "hovertemplate": f"%{{y:{hover}}}  [%{{customdata[0]:{hover}}}, "
                f"%{{customdata[1]:{hover}}}]",
            },
            None,
        ),
    ]


def _axis_format(fig: go.Figure, kind: str, title: str, labels: Mapping[int, str]) -> None:
    fig.update_yaxes(title_text=title, tickformat=_FORMATS[kind][0])
    if kind == "s":
        fig.update_yaxes(ticksuffix=" s")
    fig.update_xaxes(title_text="interval starting", type="category")
    fig.update_layout(hovermode="x unified")
    hour_ticks(fig, labels)


def _use_panels(profs: Mapping[str, Series], kind: str) -> bool:
    """Whether each channel gets its own panel rather than sharing one axis.

    Yes with more than two channels (overlapping bands get unreadable), and when
    the channels' peaks are more than 10x apart (on one axis, email waits in
    hours would flatten voice waits in seconds).
    """
    if len(profs) > 2:
        return True
    if kind == "pct":
        return False
    peaks = [np.nanmax(p["mean"]) if np.isfinite(p["mean"]).any() else 0.0 for p in profs.values()]
    peaks = [p for p in peaks if p > 0]
    return len(peaks) > 1 and max(peaks) > 10 * min(peaks)


def _channel_metric(
    intervals: pd.DataFrame, metric: str, title: str, axis: str, kind: str
) -> tuple[go.Figure, bool]:
    """The figure of one per-interval channel metric, and whether it has a panel per channel."""
    channels = names(intervals, "channel")
    colors = color_map(channels)
    labels = interval_labels(intervals)
    views = day_views(intervals)
    profs = profiles(intervals, metric, "channel", views)
    panels = _use_panels(profs[views[0][1]], kind)

    def draw(day: int | None) -> list[Spec]:
        return [
            (cls, props, row if panels else None)
            for row, ch in enumerate(channels, start=1)
            for cls, props, _ in _band(profs[day][ch], labels, ch, colors[ch], kind)
        ]

    fig = new_figure()
    if panels:
        fig = make_subplots(
            figure=fig, rows=len(channels), cols=1, shared_xaxes=True, vertical_spacing=0.05
        )
    add_views(fig, views, draw)
    _axis_format(fig, kind, axis, labels)
    if not panels:
        return style(fig, title, 380), False
    for row, ch in enumerate(channels, start=1):
        fig.update_yaxes(title_text=f"<b>{ch}</b> {axis}", row=row, col=1)
    fig.update_xaxes(title_text=None)
    fig.update_xaxes(title_text="interval starting", row=len(channels), col=1)
    return style(fig, title, 140 + 160 * len(channels)), True


def service_level_figure(intervals: pd.DataFrame, targets: Targets | None = None) -> go.Figure:
    """Service level per channel and interval against its target, with a 95% CI band.

    Parameters
    ----------
    intervals
        ``intervals.parquet`` (columns ``replication, day, interval, start, channel,
        service_level, answered, abandoned``).
    targets
        Per channel ``{"target": share [0-1], "within": seconds}`` (a scenario's
        ``service_level``): a dashed line per target.

    Returns
    -------
    plotly.graph_objects.Figure
        Three ``scatter`` traces per channel: the CI's lower and upper edge and the
        mean (one axis for up to two channels, else a panel per channel). With
        several days a menu swaps in a single day's data.
    """
    fig, panels = _channel_metric(
        intervals, "service_level", "Service level against target", "service level", "pct"
    )
    fig.update_yaxes(range=[0, 1.04])
    _target_lines(fig, targets or {}, names(intervals, "channel"), panels)
    return fig


def _target_lines(fig: go.Figure, targets: Targets, channels: list[str], panels: bool) -> None:
    """A dashed line per target: in each channel's panel, or one per distinct value."""
    colors = color_map(channels)
    groups: dict[tuple[float, int | None], list[str]] = {}
    for index, ch in enumerate(channels, start=1):
        if "target" in targets.get(ch, {}):
            key = (float(targets[ch]["target"]), index if panels else None)
            groups.setdefault(key, []).append(ch)
    for (value, row), chans in groups.items():
        parts = [f"{ch} in {fmt_duration(targets[ch].get('within'))}" for ch in chans]
        text = f"target {fmt_pct(value, 0)}" + (
            f" in {fmt_duration(targets[chans[0]].get('within'))}"
            if panels
            else f" ({', '.join(parts)})"
        )
        color = colors[chans[0]] if len(chans) == 1 else MUTED
        fig.add_hline(
            y=value,
            line={"dash": "dash", "width": 1.5, "color": color},
            annotation_text=text,
            annotation_position="bottom right",
            annotation_font={"size": 11, "color": MUTED},
            **({"row": row, "col": 1} if row else {}),
        )


def asa_figure(intervals: pd.DataFrame) -> go.Figure:
    """Average speed of answer [s] per channel and interval, with a 95% CI band.

    Parameters
    ----------
    intervals
        ``intervals.parquet`` (``asa`` [s], pooled over days weighted by ``answered``).

    Returns
    -------
    plotly.graph_objects.Figure
        Three ``scatter`` traces per channel (CI edges, mean); a panel per channel
        when there are more than two or their waits differ more than tenfold.
    """
    return _channel_metric(intervals, "asa", "Average speed of answer", "ASA", "s")[0]


def abandonment_figure(intervals: pd.DataFrame) -> go.Figure:
    """Abandonment rate [0-1] per channel and interval, with a 95% CI band.

    Parameters
    ----------
    intervals
        ``intervals.parquet`` (``abandon_rate`` = abandoned / (answered + abandoned),
        pooled over days weighted by answered + abandoned).

    Returns
    -------
    plotly.graph_objects.Figure
        Three ``scatter`` traces per channel (CI edges, mean).
    """
    return _channel_metric(intervals, "abandon_rate", "Abandonment", "abandoned", "pct")[0]


def queue_figure(intervals: pd.DataFrame) -> go.Figure:
    """Mean number of contacts waiting per channel over the day, with a 95% CI band.

    Parameters
    ----------
    intervals
        ``intervals.parquet`` (``mean_queue`` [contacts]: time-average queue length of
        the interval, averaged over days).

    Returns
    -------
    plotly.graph_objects.Figure
        Three ``scatter`` traces per channel (CI edges, mean).
    """
    return _channel_metric(intervals, "mean_queue", "Queue length", "waiting", "num")[0]


def volume_figure(intervals: pd.DataFrame) -> go.Figure:
    """Offered (bars) and answered (line) contacts per interval, one panel per channel.

    Parameters
    ----------
    intervals
        ``intervals.parquet`` (``offered``, ``answered`` [contacts per interval]); the
        average day is the mean over days.

    Returns
    -------
    plotly.graph_objects.Figure
        Per channel a ``bar`` (offered) and a ``scatter`` (answered) trace; the
        hover shows the 95% CI over replications.
    """
    channels = names(intervals, "channel")
    colors = color_map(channels)
    labels = interval_labels(intervals)
    views = day_views(intervals)
    offered = profiles(intervals, "offered", "channel", views)
    answered = profiles(intervals, "answered", "channel", views)
    fig = make_subplots(
        figure=new_figure(),
        rows=len(channels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
    )
    ci = "%{y:,.1f}  [%{customdata[0]:,.1f}, %{customdata[1]:,.1f}]<extra></extra>"

    def draw(day: int | None) -> list[Spec]:
        out: list[Spec] = []
        for row, ch in enumerate(channels, start=1):
            o, a = offered[day][ch], answered[day][ch]
            x = [labels.get(k, str(k)) for k in o["interval"]]
            out.append(
                (
                    go.Bar,
                    {
                        "x": x,
                        "y": nums(o["mean"]),
                        "name": "offered",
                        "legendgroup": "offered",
                        "showlegend": row == 1,
                        "marker_color": rgba(colors[ch], 0.35),
                        "customdata": pairs(o["ci_low"], o["ci_high"]),
                        "hovertemplate": f"{ch} offered: {ci}",
                    },
                    row,
                )
            )
            out.append(
                (
                    go.Scatter,
                    {
                        "x": [labels.get(k, str(k)) for k in a["interval"]],
                        "y": nums(a["mean"]),
                        "name": "answered",
                        "legendgroup": "answered",
                        "showlegend": row == 1,
                        "mode": "lines+markers",
                        "line": {"color": colors[ch]},
                        "marker": {"size": 5},
                        "customdata": pairs(a["ci_low"], a["ci_high"]),
                        "hovertemplate": f"{ch} answered: {ci}",
                    },
                    row,
                )
            )
        return out

    add_views(fig, views, draw)
    fig.update_xaxes(type="category")
    fig.update_xaxes(title_text="interval starting", row=len(channels), col=1)
    for row, ch in enumerate(channels, start=1):
        fig.update_yaxes(title_text=f"<b>{ch}</b> contacts", row=row, col=1)
    fig.update_yaxes(tickformat=",.0f")
    hour_ticks(fig, labels)
    fig.update_layout(hovermode="x unified", bargap=0.15)
    return style(fig, "Demand: offered and answered contacts", 150 + 230 * len(channels))
