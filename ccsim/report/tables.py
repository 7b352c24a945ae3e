"""Figures from the KPI summary: the KPI table against targets and the cost breakdown.

Both take the tidy summary: columns ``scope, name, metric, mean, ci_low,
ci_high`` (``SimulationResult.summary()``, or
:func:`ccsim.report.data.summary_frame` of ``summary.json``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import cast

import pandas as pd
import plotly.graph_objects as go

from ccsim.report.theme import (
    FAIL,
    GRID,
    INK,
    MUTED,
    PASS,
    POOL_COLORS,
    UNSURE,
    fmt_ci,
    fmt_duration,
    fmt_number,
    fmt_pct,
    fmt_value,
    new_figure,
    style,
)

__all__ = ["VERDICT_COLORS", "cost_figure", "kpi_table", "money", "sl_verdict"]

#: Cell background per verdict of :func:`sl_verdict`.
VERDICT_COLORS = {"pass": PASS[1], "fail": FAIL[1], "unsure": UNSURE[1], "none": "white"}
TOTAL_FILL = "#f3f4f6"

_CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}

_COLUMNS = (  # metric, header, kind
    ("offered", "offered", "count"),
    ("answered", "answered", "count"),
    ("service_level", "service level", "pct"),
    (None, "target", ""),
    (None, "verdict", ""),
    ("asa", "ASA", "s"),
    ("abandon_rate", "abandoned", "pct"),
    ("aht", "AHT", "s"),
)


def sl_verdict(mean: float, low: float, high: float, target: float | None) -> str:
    """Service level against its target: ``pass``, ``fail``, ``unsure`` or ``none``.

    ``pass`` when the whole 95% CI is at or above the target, ``fail`` when it is
    wholly below, ``unsure`` when it contains the target (more replications would
    tell). Without a CI (one replication) the mean decides; ``none`` when the
    service level or the target is undefined.
    """
    if target is None or mean is None or math.isnan(mean):
        return "none"
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "pass" if mean >= target else "fail"
    if low >= target:
        return "pass"
    if high < target:
        return "fail"
    return "unsure"


Estimate = tuple[float, float, float]  # mean, ci_low, ci_high


def _lookup(summary: pd.DataFrame) -> dict[tuple[str, str, str], Estimate]:
    return {
        # the summary's mean and CI columns are float
        (str(r.scope), str(r.name), str(r.metric)): cast(Estimate, (r.mean, r.ci_low, r.ci_high))
        for r in summary.itertuples(index=False)
    }


def _cell(value: Estimate | None, kind: str) -> str:
    """Mean over its CI; the CI clipped to what the KPI can be (>= 0, shares <= 100%)."""
    if value is None:
        return "–"
    mean, low, high = value
    top = 1.0 if kind == "pct" else math.inf
    low, high = min(max(low, 0.0), top), min(max(high, 0.0), top)
    ci = fmt_ci(low, high, kind, mean) if kind != "count" else ""
    text = fmt_value(mean, kind)
    return f"{text}<br><span style='color:{MUTED}'>{ci}</span>" if ci else text


def _verdict_text(verdict: str, mean: float, target: float | None) -> str:
    if verdict == "pass":
        return "<b>meets target</b>"
    if verdict == "fail":
        return "<b>misses target</b>"
    if verdict == "unsure":
        word = "meets" if target is not None and mean >= target else "misses"
        return f"<b>{word}</b>, CI spans<br>the target"
    return "–"


def _channel_row(
    channel: str, values: Mapping[tuple[str, str, str], Estimate], target: Mapping[str, float]
) -> tuple[list[str], list[str]]:
    """The cells of one channel's row and their background colours."""
    goal = target.get("target")
    sl = values.get(("channel", channel, "service_level"), (math.nan,) * 3)
    verdict = sl_verdict(*sl, goal)
    cells, fills = [f"<b>{channel}</b>"], ["white"]
    for metric, header, kind in _COLUMNS:
        if metric is not None:
            cells.append(_cell(values.get(("channel", channel, metric)), kind))
        elif header == "target":
            within = fmt_duration(target.get("within"))
            cells.append("–" if goal is None else f"{fmt_pct(goal, 0)} in {within}")
        else:
            cells.append(_verdict_text(verdict, sl[0], goal))
        fills.append(VERDICT_COLORS[verdict] if header in ("service level", "verdict") else "white")
    return cells, fills


def kpi_table(
    summary: pd.DataFrame, targets: Mapping[str, Mapping[str, float]] | None = None
) -> go.Figure:
    """A table of each channel's KPIs (mean and 95% CI) with its service-level verdict.

    Parameters
    ----------
    summary
        Tidy summary (``scope, name, metric, mean, ci_low, ci_high``).
    targets
        Per channel ``{"target": share [0-1], "within": seconds}``.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``table`` trace: a row per channel plus an "all channels" row. The
        service-level and verdict cells are coloured by :func:`sl_verdict`
        (:data:`VERDICT_COLORS`).
    """
    targets = targets or {}
    values = _lookup(summary)
    channels = list(dict.fromkeys(summary.loc[summary["scope"] == "channel", "name"].astype(str)))
    rows = [_channel_row(ch, values, targets.get(ch, {})) for ch in channels]
    if any(k[0] == "total" for k in values):
        total = [values.get(("total", "all", m)) if m else None for m, _, _ in _COLUMNS]
        cells = [
            _cell(t, kind) if t else "" for t, (_, _, kind) in zip(total, _COLUMNS, strict=True)
        ]
        rows.append((["<b>all channels</b>", *cells], [TOTAL_FILL] * (len(_COLUMNS) + 1)))
    columns = [list(col) for col in zip(*(cells for cells, _ in rows), strict=True)]
    fills = [list(col) for col in zip(*(fill for _, fill in rows), strict=True)]
    fig = new_figure(
        go.Table(
            columnwidth=[1.0, 0.8, 0.8, 1.25, 1.0, 1.25, 1.2, 1.2, 1.35],
            header={
                "values": [f"<b>{h}</b>" for h in ("channel", *(c[1] for c in _COLUMNS))],
                "fill_color": INK,
                "font": {"color": "white", "size": 12},
                "align": "left",
                "height": 30,
                "line_color": INK,
            },
            cells={
                "values": columns,
                "fill_color": fills,
                "align": "left",
                "height": 42,
                "font": {"size": 13, "color": INK},
                "line_color": GRID,
            },
        )
    )
    style(
        fig,
        "Channels against their targets (mean, 95% CI over replications)",
        110 + 46 * len(rows),
        legend=False,
    )
    fig.update_layout(margin={"l": 8, "r": 8, "t": 48, "b": 8})
    return fig


def money(value: float | None, currency: str = "", digits: int = 0) -> str:
    """``€12,345`` or ``12,345 CHF``."""
    sign = _CURRENCY_SIGNS.get(currency.upper())
    number = fmt_number(value, digits)
    if sign:
        return f"{sign}{number}"
    return f"{number} {currency}".strip()


def cost_figure(summary: pd.DataFrame, currency: str = "") -> go.Figure:
    """Paid cost per pool, split into handling contacts, idle on duty and off the phones.

    Parameters
    ----------
    summary
        Tidy summary with pool metrics ``cost``, ``agent_hours`` (paid),
        ``available_hours`` (on duty) and ``busy_hours``, and the totals ``cost``
        and ``cost_per_contact``.
    currency
        ISO code shown with the amounts (``costs.currency`` of the scenario).

    Returns
    -------
    plotly.graph_objects.Figure
        Three stacked horizontal ``bar`` traces (busy, idle, shrinkage); each
        pool's total and its 95% CI is written at the end of its bar.
    """
    values = _lookup(summary)
    pools = list(dict.fromkeys(summary.loc[summary["scope"] == "pool", "name"].astype(str)))
    parts: dict[str, list[float]] = {"busy": [], "idle": [], "off": []}
    for pool in pools:
        pool_cost = values.get(("pool", pool, "cost"), (math.nan,) * 3)[0]
        paid, avail, busy = (
            values.get(("pool", pool, m), (math.nan,) * 3)[0]
            for m in ("agent_hours", "available_hours", "busy_hours")
        )
        per_hour = pool_cost / paid if paid and paid > 0 else math.nan
        parts["busy"].append(per_hour * busy)
        parts["idle"].append(per_hour * max(avail - busy, 0.0))
        parts["off"].append(per_hour * max(paid - avail, 0.0))
    names = {
        "busy": ("handling contacts", POOL_COLORS[0]),
        "idle": ("on duty, idle", "#9ecae9"),
        "off": ("paid, not on duty (shrinkage)", "#d1d5db"),
    }
    fig = new_figure()
    for key, (label, color) in names.items():
        fig.add_trace(
            go.Bar(
                y=pools,
                x=parts[key],
                name=label,
                orientation="h",
                marker_color=color,
                hovertemplate=f"%{{y}} {label}: %{{x:,.0f}} {currency}<extra></extra>",
            )
        )
    for pool in pools:
        cost = values.get(("pool", pool, "cost"))
        if cost is None:
            continue
        ci = fmt_ci(cost[1], cost[2], "money")
        fig.add_annotation(
            x=cost[0],
            y=pool,
            text=f" {money(cost[0], currency)} {ci}",
            xanchor="left",
            showarrow=False,
            font={"size": 12, "color": INK},
        )
    total = values.get(("total", "all", "cost"), (math.nan,) * 3)[0]
    per_contact = values.get(("total", "all", "cost_per_contact"), (math.nan,) * 3)[0]
    title = (
        f"Cost per pool: total {money(total, currency)}, "
        f"{money(per_contact, currency, 2)} per answered contact"
    )
    fig.update_layout(barmode="stack", bargap=0.35, legend_traceorder="normal")
    fig.update_xaxes(
        title_text=f"paid cost over the horizon [{currency or 'currency'}]",
        tickformat=",.0f",
        rangemode="tozero",
    )
    fig.update_yaxes(autorange="reversed", type="category")
    style(fig, title, 180 + 56 * len(pools))
    fig.update_xaxes(showgrid=True, gridcolor=GRID)
    return fig
