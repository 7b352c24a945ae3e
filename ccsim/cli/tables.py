"""Rich tables of a simulation's KPIs for the terminal."""

from __future__ import annotations

import math

import pandas as pd
from rich.table import Table

from ccsim.scenario.schema import Scenario
from ccsim.units import format_duration

__all__ = ["channel_table", "deferred_table", "journey_table", "pool_table", "totals_table"]


def _fmt(value: float, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "s":
        return f"{value:.1f}s"
    if kind == "n":
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "x":
        return f"{value:.2f}"
    return f"{value:.3g}"


def _time_unit(seconds: float) -> tuple[float, str]:
    if seconds >= 5400:
        return 3600.0, "h"
    if seconds >= 600:
        return 60.0, "min"
    return 1.0, "s"


def _cell(summary: pd.DataFrame, scope: str, name: str, metric: str, kind: str) -> str:
    row = summary[(summary.scope == scope) & (summary.name == name) & (summary.metric == metric)]
    if row.empty:
        return "–"
    mean, lo, hi = row.iloc[0][["mean", "ci_low", "ci_high"]]
    if kind == "s" and not math.isnan(mean):
        scale, unit = _time_unit(mean)
        text = f"{mean / scale:.1f}{unit}"
        if not math.isnan(lo):
            text += f" ±{(hi - lo) / 2 / scale:.1f}"
        return text
    text = _fmt(mean, kind)
    if isinstance(lo, float) and not math.isnan(lo) and kind != "n":
        half = (hi - lo) / 2
        text += f" ±{_fmt(half, kind).rstrip('%s')}"
    return text


def _verdict(summary: pd.DataFrame, name: str, target: float) -> str:
    row = summary[(summary.scope == "channel") & (summary.name == name)]
    sl = row[row.metric == "service_level"]
    if sl.empty or math.isnan(sl.iloc[0]["mean"]):
        return "–"
    mean = sl.iloc[0]["mean"]
    return "[green]meets[/]" if mean >= target else "[red]misses[/]"


def channel_table(summary: pd.DataFrame, scenario: Scenario) -> Table:
    """Per-channel service: volumes, service level against target, waits, abandonment."""
    table = Table(title="Channels (mean ± 95% CI half-width over replications)")
    for col in (
        "channel",
        "offered",
        "answered",
        "abandoned",
        "service level",
        "target",
        "",
        "ASA",
        "abandon",
        "AHT",
    ):
        table.add_column(col, justify="left" if col in ("channel", "") else "right")
    for name, ch in scenario.channels.items():
        sl = ch.service_level
        table.add_row(
            name,
            _cell(summary, "channel", name, "offered", "n"),
            _cell(summary, "channel", name, "answered", "n"),
            _cell(summary, "channel", name, "abandoned", "n"),
            _cell(summary, "channel", name, "service_level", "pct"),
            f"{100 * sl.target:.0f}% in "
            + (
                f"{sl.within / 3600:g}h open"
                if ch.kind == "deferred"
                else format_duration(sl.within)
            ),
            _verdict(summary, name, sl.target),
            _cell(summary, "channel", name, "asa", "s"),
            _cell(summary, "channel", name, "abandon_rate", "pct"),
            _cell(summary, "channel", name, "aht", "s"),
        )
    return table


def pool_table(summary: pd.DataFrame, scenario: Scenario) -> Table:
    """Per-pool occupancy, paid hours, absence and breaks, and labour cost."""
    currency = scenario.costs.currency
    table = Table(title="Pools")
    columns = [
        "pool",
        "skills",
        "occupancy",
        "paid hours",
        "absent",
        "breaks (h)",
        f"cost ({currency})",
    ]
    for col in columns:
        table.add_column(col, justify="left" if col in ("pool", "skills") else "right")
    for name, pool in scenario.pools.items():
        table.add_row(
            name,
            ", ".join(pool.skills),
            _cell(summary, "pool", name, "occupancy", "pct"),
            _cell(summary, "pool", name, "agent_hours", "n"),
            _cell(summary, "pool", name, "absent_share", "pct"),
            _cell(summary, "pool", name, "break_hours", "n"),
            _cell(summary, "pool", name, "cost", "money"),
        )
    return table


def _mean(summary: pd.DataFrame, scope: str, name: str, metric: str) -> float:
    row = summary[(summary.scope == scope) & (summary.name == name) & (summary.metric == metric)]
    return float(row["mean"].iloc[0]) if len(row) else float("nan")


def totals_table(summary: pd.DataFrame, scenario: Scenario) -> Table:
    """Whole-centre service and the cost breakdown."""
    cur = scenario.costs.currency
    table = Table(title="Totals and costs")
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("service level, all channels", "service_level", "pct"),
        ("abandoned", "abandon_rate", "pct"),
        (f"labour ({cur})", "labour_cost", "money"),
        (f"self-service ({cur})", "self_service_cost", "money"),
        (f"telephony ({cur})", "telephony_cost", "money"),
        (f"operating cost ({cur})", "cost", "money"),
        (f"customer-side cost ({cur})", "customer_cost", "money"),
        (f"economic cost ({cur})", "economic_cost", "money"),
        ("cost per answered contact", "cost_per_contact", "money"),
    ]
    optional = {"self_service_cost", "telephony_cost", "customer_cost", "economic_cost"}
    for label, metric, kind in rows:
        if metric in optional and not _mean(summary, "total", "all", metric) > 0:
            continue
        table.add_row(label, _cell(summary, "total", "all", metric, kind))
    return table


def deferred_table(summary: pd.DataFrame, scenario: Scenario) -> Table | None:
    """Backlog of deferred channels (email, messages); None when there are none."""
    names = [n for n, ch in scenario.channels.items() if ch.kind == "deferred"]
    if not names:
        return None
    table = Table(title="Deferred work (service level in opening hours)")
    for col in (
        "channel",
        "handled",
        "within target",
        "backlog at close",
        "backlog at end",
        "oldest at end",
    ):
        table.add_column(col, justify="left" if col == "channel" else "right")
    for name in names:
        oldest = summary[
            (summary.scope == "channel")
            & (summary.name == name)
            & (summary.metric == "oldest_age_end")
        ]["mean"]
        hours = f"{oldest.iloc[0] / 3600:.1f}h" if len(oldest) else "–"
        table.add_row(
            name,
            _cell(summary, "channel", name, "answered", "n"),
            _cell(summary, "channel", name, "service_level", "pct"),
            _cell(summary, "channel", name, "backlog_close", "n"),
            _cell(summary, "channel", name, "backlog_end", "n"),
            hours,
        )
    return table


def journey_table(summary: pd.DataFrame, scenario: Scenario) -> Table | None:
    """Issue-level KPIs when the scenario has journeys or self-service; else None."""
    j = scenario.journeys
    if not (scenario.self_service or j.active or j.context_loss.handle_factor != 1.0):
        return None
    table = Table(title="Customer issues (journeys)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("issues", "issues", "n"),
        ("contacts per issue", "contacts_per_issue", "x"),
        ("first-contact resolution", "first_contact_resolution", "pct"),
        ("resolved by the horizon", "resolved", "pct"),
        ("lost (gave up)", "lost", "pct"),
        ("switched channel", "switched", "pct"),
    ]
    for label, metric, kind in rows:
        table.add_row(label, _cell(summary, "journey", "all", metric, kind))
    row = summary[(summary.scope == "journey") & (summary.metric == "resolution_time")]
    if len(row):
        table.add_row("mean resolution time", f"{row.iloc[0]['mean'] / 3600:.1f}h")
    table.add_row(
        f"cost per resolved issue ({scenario.costs.currency})",
        _cell(summary, "total", "all", "cost_per_resolved_issue", "money"),
    )
    return table
