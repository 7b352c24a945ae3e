"""Figures of the sweep and optimisation reports (beyond :mod:`ccsim.report.studies`).

Each takes the saved tables (their columns are listed per function) and returns
a :class:`plotly.graph_objects.Figure` in the report's style.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ccsim.report.theme import (
    FAIL,
    INK,
    MUTED,
    PASS,
    POOL_COLORS,
    color_map,
    fmt_pct,
    new_figure,
    rgba,
    style,
)

__all__ = [
    "factor_figure",
    "numeric_factor",
    "search_history_figure",
    "staffing_plan_figure",
    "validation_figure",
]

_ALL = "all channels"


def numeric_factor(values: Sequence[Any]) -> bool:
    """Whether a factor's values are all numbers (then drawn on a numeric axis)."""
    return len(values) > 0 and all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
        for v in values
    )


def _nums(values: Any) -> list[float | None]:
    """Floats with NaN as None (plotly leaves a gap)."""
    return [None if v is None or not math.isfinite(float(v)) else float(v) for v in values]


def _errors(table: pd.DataFrame, column: str) -> dict[str, Any]:
    mean, low, high = table[column], table[column + "_low"], table[column + "_high"]
    return {
        "type": "data",
        "symmetric": False,
        "array": _nums(high - mean),
        "arrayminus": _nums(mean - low),
        "thickness": 1.2,
        "width": 4,
    }


def _panels(rows: int) -> go.Figure:
    """One panel per row sharing the x axis (a pool's or a channel's)."""
    spacing = 0.1 if rows > 1 else 0.0
    return make_subplots(
        figure=new_figure(), rows=rows, cols=1, shared_xaxes=True, vertical_spacing=spacing
    )


def _target_lines(fig: go.Figure, goals: Iterable[float], row: int) -> None:
    """A dashed line per distinct service-level target in the panel of *row*."""
    for goal in sorted(set(goals)):
        fig.add_hline(
            y=goal,
            line={"dash": "dash", "color": MUTED, "width": 1},
            annotation_text=f"target {fmt_pct(goal, 0)}",
            annotation_position="bottom right",
            annotation_font={"color": MUTED, "size": 11},
            row=row,
            col=1,
        )


def factor_figure(
    table: pd.DataFrame,
    factor: str,
    channels: Sequence[str],
    currency: str = "",
    targets: Mapping[str, Mapping[str, float]] | None = None,
) -> go.Figure:
    """Service level and cost along the one factor of a sweep.

    Parameters
    ----------
    table
        ``sweep.parquet`` rows of the points that finished: the *factor* column and
        ``channel.<name>.service_level``, ``total.all.service_level`` and
        ``total.all.cost``, each with ``_low`` and ``_high`` CI bounds.
    factor
        The factor column (a dotted scenario path).
    channels
        The channels to draw a service-level line for.
    currency
        Shown in the cost axis title.
    targets
        Per channel ``{"target": share}``: a dashed line per distinct target.

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels sharing the factor axis: above, one ``scatter`` per channel and
        one for all channels (mean and 95% CI bars); below, the total cost.
    """
    numeric = numeric_factor(list(table[factor]))
    rows = table.sort_values(factor, kind="stable") if numeric else table
    x = list(rows[factor]) if numeric else [str(v) for v in rows[factor]]
    colors = color_map(channels)
    fig = make_subplots(
        figure=new_figure(),
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        row_heights=[0.62, 0.38],
    )
    lines = [(ch, f"channel.{ch}.service_level", colors[ch], "solid") for ch in channels]
    lines.append((_ALL, "total.all.service_level", INK, "dash"))
    for name, col, color, dash in lines:
        if col not in rows.columns or not rows[col].notna().any():
            continue
        fig.add_trace(
            go.Scatter(
                x=x,
                y=_nums(rows[col]),
                name=name,
                mode="lines+markers",
                line={"color": color, "width": 2.2 if dash == "solid" else 1.6, "dash": dash},
                marker={"size": 7},
                error_y={**_errors(rows, col), "color": rgba(color, 0.6)},
                hovertemplate=f"{name}: %{{y:.1%}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    goals = [float(t["target"]) for t in (targets or {}).values() if t.get("target") is not None]
    _target_lines(fig, goals, row=1)
    cost = "total.all.cost"
    if cost in rows.columns and rows[cost].notna().any():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=_nums(rows[cost]),
                name="cost",
                mode="lines+markers",
                line={"color": POOL_COLORS[1], "width": 2.2},
                marker={"size": 7},
                error_y={**_errors(rows, cost), "color": rgba(POOL_COLORS[1], 0.6)},
                hovertemplate="cost %{y:,.0f}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    style(fig, f"Service level and cost along {factor} (95% CIs)", 560)
    fig.update_yaxes(title_text="service level", tickformat=".0%", rangemode="normal", row=1)
    unit = f" [{currency}]" if currency else ""
    fig.update_yaxes(title_text=f"cost{unit}", tickformat=",.0f", rangemode="normal", row=2)
    fig.update_xaxes(title_text=factor, row=2, col=1)
    if not numeric:
        fig.update_xaxes(type="category")
    fig.update_layout(hovermode="x unified")
    return fig


def staffing_plan_figure(
    staffing: pd.DataFrame, start: Mapping[str, Sequence[int]] | None = None
) -> go.Figure:
    """The optimised agents per interval of each pool, against the analytic start.

    Parameters
    ----------
    staffing
        ``staffing.csv``: ``interval`` (clock time), then agents per pool.
    start
        The analytic starting plan ``{pool: agents per interval}`` (Erlang
        staffing per interval), drawn as a dashed step line; None to leave it out.

    Returns
    -------
    plotly.graph_objects.Figure
        A panel per pool: a ``bar`` trace of the optimised agents and, with
        *start*, a ``scatter`` trace of the starting plan.
    """
    pools = [str(c) for c in staffing.columns if c != "interval"]
    x = [str(v) for v in staffing["interval"]]
    fig = _panels(len(pools))
    for row, pool in enumerate(pools, start=1):
        color = POOL_COLORS[(row - 1) % len(POOL_COLORS)]
        agents = staffing[pool].astype(float)
        fig.add_trace(
            go.Bar(
                x=x,
                y=agents,
                name="optimised",
                legendgroup="optimised",
                showlegend=row == 1,
                marker={"color": rgba(color, 0.85), "line": {"width": 0}},
                text=[f"{a:.0f}" for a in agents] if len(x) <= 30 else None,
                textposition="outside",
                textfont={"size": 10, "color": MUTED},
                cliponaxis=False,
                hovertemplate=f"{pool} %{{x}}: %{{y:.0f}} agents<extra>optimised</extra>",
            ),
            row=row,
            col=1,
        )
        first = (start or {}).get(pool)
        if first is not None and len(first) == len(x):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=[float(a) for a in first],
                    name="analytic start (Erlang)",
                    legendgroup="start",
                    showlegend=row == 1,
                    mode="lines+markers",
                    line={"color": INK, "width": 1.6, "dash": "dash", "shape": "hvh"},
                    marker={"size": 5, "color": INK},
                    hovertemplate=f"{pool} %{{x}}: %{{y:.0f}} agents<extra>analytic start</extra>",
                ),
                row=row,
                col=1,
            )
        fig.update_yaxes(title_text=f"<b>{pool}</b> agents", row=row, col=1)
    fig.update_xaxes(type="category")
    fig.update_xaxes(title_text="interval starting", row=len(pools), col=1)
    fig.update_layout(bargap=0.18, hovermode="x unified")
    title = "Agents per interval: the optimised plan"
    if start:
        title += " and the analytic start"
    return style(fig, title, 140 + 240 * len(pools))


def search_history_figure(
    history: pd.DataFrame, chosen: int | None = None, currency: str = ""
) -> go.Figure:
    """The cost of every plan the search evaluated, feasible or not.

    Parameters
    ----------
    history
        ``history.parquet``: ``step, phase, cost, feasible`` and optionally
        ``replications`` and ``misses`` (shown on hover).
    chosen
        The step of the plan kept, marked with a star.
    currency
        Shown in the axis title.

    Returns
    -------
    plotly.graph_objects.Figure
        A grey line through every evaluation, a ``scatter`` trace of the feasible
        plans (green) and one of those missing a target (red, open); the chosen
        plan as a star.
    """
    h = history.sort_values("step")
    feasible = h["feasible"].astype(bool)
    fig = new_figure()
    fig.add_trace(
        go.Scatter(
            x=h["step"],
            y=h["cost"],
            mode="lines",
            line={"color": "#d1d5db", "width": 1.5},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    misses = h["misses"].fillna("").astype(str) if "misses" in h.columns else None
    reps = h["replications"] if "replications" in h.columns else None
    for part, name, color, symbol in (
        (feasible, "meets every target", PASS[0], "circle"),
        (~feasible, "misses a target", FAIL[0], "circle-open"),
    ):
        sub = h[part]
        if sub.empty:
            continue
        info = [
            [
                str(phase),
                "" if reps is None else f", {int(reps[i])} replications",
                "" if misses is None or not misses[i] else "<br>" + misses[i].replace("; ", "<br>"),
            ]
            for i, phase in zip(sub.index, sub["phase"], strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=sub["step"],
                y=sub["cost"],
                name=name,
                mode="markers",
                marker={"color": color, "size": 9, "symbol": symbol, "line": {"width": 2}},
                customdata=info,
                hovertemplate="step %{x} (%{customdata[0]}%{customdata[1]}): cost %{y:,.0f}"
                "%{customdata[2]}<extra></extra>",
            )
        )
    if chosen is not None and (h["step"] == chosen).any():
        row = h[h["step"] == chosen].iloc[0]
        fig.add_trace(
            go.Scatter(
                x=[row["step"]],
                y=[row["cost"]],
                name="plan kept",
                mode="markers",
                marker={"symbol": "star", "size": 18, "color": "#f59e0b", "line": {"width": 1}},
                hovertemplate="plan kept: step %{x}, cost %{y:,.0f}<extra></extra>",
            )
        )
    phases = list(dict.fromkeys(h["phase"].astype(str)))
    for i, phase in enumerate(phases):  # label where each phase begins, a line lower each
        first = h[h["phase"].astype(str) == phase]["step"].min()
        fig.add_vline(
            x=float(first) - 0.5,
            line={"color": "#e5e7eb", "width": 1},
            annotation_text=phase,
            annotation_position="top right",
            annotation_yshift=-14 * i,
            annotation_font={"color": MUTED, "size": 11},
        )
    style(fig, "Search: the cost of each plan evaluated", 400)
    unit = f" [{currency}]" if currency else ""
    fig.update_xaxes(title_text="evaluation", dtick=1 if len(h) <= 30 else None)
    fig.update_yaxes(title_text=f"cost{unit}", tickformat=",.0f", rangemode="normal")
    cost = h["cost"].to_numpy(dtype=float)
    cost = cost[np.isfinite(cost)]
    if cost.size:  # headroom above the dearest plan for the staggered phase labels
        span = max(float(cost.max() - cost.min()), 1e-9 + abs(float(cost.max())) * 0.01)
        top = float(cost.max()) + span * (0.08 + 0.07 * len(phases))
        fig.update_yaxes(range=[float(cost.min()) - 0.05 * span, top])
    return fig


def validation_figure(validation: pd.DataFrame, labels: Sequence[str] | None = None) -> go.Figure:
    """Service level per interval of the plan re-simulated with another seed.

    Parameters
    ----------
    validation
        ``validation.parquet``: ``channel, interval, mean, low, high, target,
        significant_miss`` (the CI is two-sided 95%).
    labels
        Clock time of each interval (index = interval number); default the number.

    Returns
    -------
    plotly.graph_objects.Figure
        A panel per channel: a ``scatter`` trace of the intervals that meet their
        target or are within sampling noise of it, one of those significantly
        below (red), and the target as a dashed line.
    """
    v = validation.copy()
    v["channel"] = v["channel"].astype(str)
    channels = list(dict.fromkeys(v["channel"]))
    colors = color_map(channels)
    fig = _panels(len(channels))

    def label(k: Any) -> str:
        k = int(k)
        return labels[k] if labels is not None and 0 <= k < len(labels) else str(k)

    for row, ch in enumerate(channels, start=1):
        part = v[v["channel"] == ch].sort_values("interval")
        miss = part["significant_miss"].astype(bool)
        for sub, name, color in (
            (part[~miss], "within noise of the target or above", colors[ch]),
            (part[miss], "significantly below the target", FAIL[0]),
        ):
            if sub.empty:
                continue
            fig.add_trace(
                go.Scatter(
                    x=[label(k) for k in sub["interval"]],
                    y=_nums(sub["mean"]),
                    name=f"{ch}: {name}",
                    mode="markers",
                    marker={"color": color, "size": 8},
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": _nums(sub["high"] - sub["mean"]),
                        "arrayminus": _nums(sub["mean"] - sub["low"]),
                        "color": rgba(color, 0.6),
                    },
                    hovertemplate=f"{ch} %{{x}}: %{{y:.1%}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        _target_lines(fig, part["target"].dropna().astype(float), row=row)
        fig.update_yaxes(title_text=f"<b>{ch}</b> service level", tickformat=".0%", row=row, col=1)
    fig.update_xaxes(type="category")
    fig.update_xaxes(title_text="interval starting", row=len(channels), col=1)
    title = "Validation with another seed: service level per interval (95% CIs)"
    return style(fig, title, 140 + 240 * len(channels))
