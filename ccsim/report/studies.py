"""Figures of studies over several runs: comparisons, cost-service frontiers, journeys.

Each takes one tidy table (its columns are listed per function) and returns a
:class:`plotly.graph_objects.Figure`.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ccsim.analysis.frontier import pareto_mask
from ccsim.report.theme import (
    CHANNEL_COLORS,
    INK,
    MUTED,
    color_map,
    fmt_pct,
    new_figure,
    rgba,
    style,
)

__all__ = [
    "compare_figure",
    "fmt_kpi",
    "frontier_figure",
    "journey_sankey",
    "metric_kind",
    "pareto_mask",
]

_PCT = {
    "service_level",
    "service_level_answered",
    "abandon_rate",
    "p_wait",
    "occupancy",
    "first_contact_resolution",
}
_SECONDS = {"asa", "mean_wait", "mean_wait_abandoned", "aht", "max_wait"}
_MONEY = {"cost", "cost_per_contact", "cost_per_resolved_issue"}
_LABELS = {
    "service_level": "service level",
    "service_level_answered": "service level (answered)",
    "abandon_rate": "abandonment",
    "asa": "ASA [s]",
    "mean_wait": "mean wait [s]",
    "aht": "AHT [s]",
    "p_wait": "share waiting",
    "cost_per_contact": "cost per contact",
    "agent_hours": "paid agent hours",
}
_OUTCOME_COLORS = {
    "new": "#4b5563",
    "resolved": "#15803d",
    "abandoned": "#b91c1c",
    "lost": "#b91c1c",
    "open": "#d97706",
    "deflected": "#9ca3af",
    "self-service": "#9ca3af",
}


def metric_kind(metric: str) -> str:
    """``pct`` [0-1], ``s`` [seconds], ``money`` or ``num`` for a KPI name."""
    if metric in _PCT:
        return "pct"
    if metric in _SECONDS:
        return "s"
    return "money" if metric in _MONEY else "num"


def fmt_kpi(value: float | None, kind: str, signed: bool = False) -> str:
    """A KPI value of a :func:`metric_kind`; *signed*: a difference (``+2.5 pp``, ``-3.1 s``)."""
    if value is None or math.isnan(value):
        return "–"
    sign = "+" if signed and value > 0 else ""
    if kind == "pct":
        return f"{sign}{100 * value:.1f} pp" if signed else fmt_pct(value)
    if kind == "s":
        return f"{sign}{value:,.1f} s"
    return f"{sign}{value:,.2f}" if abs(value) < 100 else f"{sign}{value:,.0f}"


def _panel_title(scope: str, name: str, metric: str) -> str:
    who = "all channels" if scope == "total" else name
    return f"{who} · {_LABELS.get(metric, metric.replace('_', ' '))}"


def compare_figure(table: pd.DataFrame) -> go.Figure:
    """Side-by-side KPIs of several scenarios, with CIs and differences vs the first.

    Parameters
    ----------
    table
        One row per scenario x KPI, columns ``scenario, scope, name, metric, mean,
        ci_low, ci_high, diff, diff_low, diff_high``: the KPI's mean and 95% CI,
        and its (paired) difference to the first scenario with that difference's
        CI (NaN for the first scenario itself). Other columns are ignored; with a
        ``status`` column (``ccsim.experiments.compare``) only ``ok`` rows are drawn.

    Returns
    -------
    plotly.graph_objects.Figure
        A panel per KPI and in it one ``scatter`` trace per scenario (a point with
        horizontal CI bars). The first scenario is the baseline (open diamond); a
        difference whose CI excludes zero is a filled marker with its value in
        bold, one whose CI contains zero an open circle.
    """
    if "status" in table.columns:  # a scenario that failed has no numbers to show
        table = table[table["status"].astype(str) == "ok"]
    scenarios = list(dict.fromkeys(table["scenario"].astype(str)))
    kpis = list(dict.fromkeys(zip(table["scope"], table["name"], table["metric"], strict=True)))
    cols = 1 if len(kpis) == 1 else 2
    rows = math.ceil(len(kpis) / cols)
    colors = color_map(scenarios)
    fig = make_subplots(
        figure=new_figure(),
        rows=rows,
        cols=cols,
        subplot_titles=[_panel_title(*k) for k in kpis],
        horizontal_spacing=0.22,
        vertical_spacing=min(0.12, 0.6 / max(rows - 1, 1)),
    )
    for i, (scope, name, metric) in enumerate(kpis):
        row, col = i // cols + 1, i % cols + 1
        part = table[
            (table["scope"] == scope) & (table["name"] == name) & (table["metric"] == metric)
        ]
        kind = metric_kind(metric)
        for j, sc in enumerate(scenarios):
            r = part[part["scenario"].astype(str) == sc]
            if r.empty:
                continue
            r = r.iloc[0]
            fig.add_trace(
                _compare_point(r, sc, j == 0, colors[sc], kind, show=i == 0), row=row, col=col
            )
        # reversed, with room above the first row for its label
        top = len(scenarios) - 0.5
        fig.update_yaxes(type="category", range=[top, -0.9], row=row, col=col)
        if kind == "pct":
            fig.update_xaxes(tickformat=".0%", row=row, col=col)
    style(
        fig,
        "Scenarios side by side (95% CIs; Δ vs the first scenario, bold when the CI excludes zero)",
        100 + rows * max(150, 45 * len(scenarios)),
        legend=False,  # the scenarios are named on each panel's axis
    )
    fig.update_xaxes(showgrid=True, rangemode="normal")
    return fig


def _compare_point(
    r: pd.Series, scenario: str, baseline: bool, color: str, kind: str, show: bool
) -> go.Scatter:
    significant = not baseline and (r["diff_low"] > 0 or r["diff_high"] < 0)
    if baseline:
        symbol, text = "diamond-open", "baseline"
    else:
        symbol = "circle" if significant else "circle-open"
        delta = f"Δ {fmt_kpi(r['diff'], kind, signed=True)}"
        text = f"<b>{delta}</b>" if significant else f"{delta} (n.s.)"
    return go.Scatter(
        x=[r["mean"]],
        y=[scenario],
        name=scenario,
        legendgroup=scenario,
        showlegend=show,
        mode="markers+text",
        text=[text],
        textposition="top center",
        textfont={"size": 11, "color": INK if significant else MUTED},
        marker={"symbol": symbol, "size": 12, "color": color, "line": {"width": 2}},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [r["ci_high"] - r["mean"]],
            "arrayminus": [r["mean"] - r["ci_low"]],
            "color": color,
            "thickness": 1.5,
        },
        customdata=[[r["ci_low"], r["ci_high"], r["diff"], r["diff_low"], r["diff_high"]]],
        hovertemplate=f"{scenario}: %{{x}} [%{{customdata[0]}}, %{{customdata[1]}}]<br>"
        "Δ %{customdata[2]} [%{customdata[3]}, %{customdata[4]}]<extra></extra>",
    )


def frontier_figure(points: pd.DataFrame, target: float | None = None) -> go.Figure:
    """Cost against service level of staffing options, with CIs and the Pareto frontier.

    Parameters
    ----------
    points
        One row per option, columns ``cost, cost_low, cost_high, service_level,
        sl_low, sl_high, pareto, label`` (cost and its 95% CI; service level
        [0-1] and its CI; whether the option is Pareto-optimal; a short label
        such as ``phone=24``). Without a ``pareto`` column it is computed with
        :func:`pareto_mask`.
    target
        A service-level target drawn as a dashed line.

    Returns
    -------
    plotly.graph_objects.Figure
        Three ``scatter`` traces: dominated options (grey), Pareto-optimal options
        (labelled) and the frontier line through them in order of cost.
    """
    pts = points.copy()
    if "pareto" not in pts.columns:
        pts["pareto"] = pareto_mask(pts["cost"], pts["service_level"])
    pts["pareto"] = pts["pareto"].astype(bool)
    front = pts[pts["pareto"]].sort_values("cost")
    middle = (pts["cost"].min() + pts["cost"].max()) / 2
    fig = new_figure()
    for part, name, color, labelled in (
        (pts[~pts["pareto"]], "dominated", "#9ca3af", False),
        (front, "Pareto-optimal", CHANNEL_COLORS[0], True),
    ):
        fig.add_trace(
            go.Scatter(
                x=part["cost"],
                y=part["service_level"],
                name=name,
                mode="markers+text" if labelled else "markers",
                text=part["label"].astype(str),
                # labels lean inwards, so that those at either end stay on the plot
                textposition=["top right" if c < middle else "top left" for c in part["cost"]],
                marker={"size": 9, "color": color},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "color": rgba(color, 0.6),
                    "array": part["cost_high"] - part["cost"],
                    "arrayminus": part["cost"] - part["cost_low"],
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "color": rgba(color, 0.6),
                    "array": part["sl_high"] - part["service_level"],
                    "arrayminus": part["service_level"] - part["sl_low"],
                },
                hovertemplate="%{text}: cost %{x:,.0f}, service level %{y:.1%}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=front["cost"],
            y=front["service_level"],
            name="frontier",
            mode="lines",
            line={"color": CHANNEL_COLORS[0], "width": 2, "dash": "dot"},
            hoverinfo="skip",
        )
    )
    if target is not None:
        fig.add_hline(
            y=target,
            line={"dash": "dash", "color": MUTED},
            annotation_text=f"target {fmt_pct(target, 0)}",
            annotation_position="bottom right",
        )
    style(
        fig,
        "Cost against service level (95% CIs); the frontier joins the options "
        "no other beats on both",
        480,
    )
    fig.update_xaxes(title_text="cost", tickformat=",.0f", showgrid=True, rangemode="normal")
    fig.update_yaxes(title_text="service level", tickformat=".0%", rangemode="normal")
    return fig


def _cyclic(pairs: list[tuple[str, str]]) -> bool:
    """Whether the directed graph of *pairs* has a cycle (a self-loop counts)."""
    succ: dict[str, set[str]] = {}
    for a, b in pairs:
        succ.setdefault(a, set()).add(b)
        succ.setdefault(b, set())
    indegree = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for b in targets:
            indegree[b] += 1
    ready = [n for n, d in indegree.items() if d == 0]
    seen = 0
    while ready:
        n = ready.pop()
        seen += 1
        for b in succ[n]:
            indegree[b] -= 1
            if indegree[b] == 0:
                ready.append(b)
    return seen < len(succ)


def _stack_positions(order: list[str], ends: list[str], values: list[float]) -> list[float]:
    """Vertical centres [0-1] of nodes stacked in *order*, sized by their flows."""
    size = [sum(v for e, v in zip(ends, values, strict=True) if e == n) for n in order]
    total = sum(size) or 1.0
    gap = 0.04 if len(order) > 1 else 0.0
    scale = (1.0 - gap * (len(order) - 1)) / total
    out, top = [], 0.0
    for s in size:
        out.append(min(max(top + s * scale / 2, 0.001), 0.999))
        top += s * scale + gap
    return out


def journey_sankey(flows: pd.DataFrame) -> go.Figure:
    """Flows of customers between channels and outcomes as a Sankey diagram.

    Parameters
    ----------
    flows
        Columns ``source, target, count``: e.g. ``new -> voice`` (a new issue),
        ``voice -> chat`` (the next contact of the issue was a chat), ``voice ->
        resolved`` (how the issue ended). Repeated pairs are summed; non-positive
        counts are dropped.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``sankey`` trace, links in their source's colour, outcomes (``resolved``,
        ``lost``, ``open``, ...) in fixed colours. When the flows loop (retries on
        the same channel, switching back and forth) the diagram has two columns:
        on the left where contacts come from (``new`` or a previous contact on a
        channel), on the right the next contact's channel (``→ voice``) or the
        outcome; acyclic flows are drawn as they are.
    """
    total = flows.groupby(["source", "target"], sort=False, observed=True)["count"].sum()
    agg = total[total > 0].reset_index()
    sources = agg["source"].astype(str).tolist()
    targets = agg["target"].astype(str).tolist()
    names = list(dict.fromkeys([*sources, *targets]))
    colors = {**color_map([n for n in names if n not in _OUTCOME_COLORS]), **_OUTCOME_COLORS}
    values = agg["count"].astype(float).tolist()
    position: dict[str, list[float]] = {}
    if _cyclic(list(zip(sources, targets, strict=True))):
        channels = [n for n in names if n not in _OUTCOME_COLORS]
        left = [n for n in ("new", *channels) if n in sources]
        right = [n for n in (*channels, *_OUTCOME_COLORS) if n in targets and n != "new"]
        labels = left + [t if t in _OUTCOME_COLORS else f"→ {t}" for t in right]
        node_color = [colors[n] for n in left + right]
        src = [left.index(x) for x in sources]
        dst = [len(left) + right.index(x) for x in targets]
        position = {
            "x": [0.001] * len(left) + [0.999] * len(right),
            "y": _stack_positions(left, sources, values) + _stack_positions(right, targets, values),
        }
    else:
        labels, node_color = names, [colors[n] for n in names]
        src = [names.index(x) for x in sources]
        dst = [names.index(x) for x in targets]
    fig = new_figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            node={
                "label": labels,
                "color": node_color,
                "pad": 14,
                "thickness": 16,
                "line": {"width": 0},
                **position,
            },
            link={
                "source": src,
                "target": dst,
                "value": values,
                "color": [rgba(colors[x], 0.35) for x in sources],
            },
        )
    )
    return style(fig, "Customer journeys: where contacts come from and lead to", 460, legend=False)
