"""Rich tables of comparisons and sweeps for the terminal."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from ccsim.experiments.compare import CompareResult
from ccsim.experiments.design import short_paths
from ccsim.experiments.points import has_journeys
from ccsim.experiments.sweep import SweepResult, kpi_column
from ccsim.scenario.schema import Scenario

__all__ = ["compare_kpis", "compare_rich_table", "sweep_rich_table"]

_PCT = {"service_level", "abandon_rate", "occupancy", "first_contact_resolution"}
_SECONDS = {"asa"}
_LABELS = {
    "service_level": "service level",
    "asa": "ASA",
    "abandon_rate": "abandoned",
    "occupancy": "occupancy",
    "cost": "cost",
    "cost_per_contact": "cost per contact",
    "first_contact_resolution": "first-contact resolution",
    "contacts_per_issue": "contacts per issue",
}


def _value(value: float, metric: str, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "+" if signed and value > 0 else ""
    if metric in _PCT:
        return f"{sign}{100 * value:.1f}" + (" pp" if signed else "%")
    if metric in _SECONDS:
        return f"{sign}{value:.1f}s"
    if abs(value) >= 1000:
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:,.2f}"


def _halfwidth(low: float, high: float, metric: str) -> str:
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return ""
    half = (high - low) / 2
    if metric in _PCT:
        return f" ±{100 * half:.1f}"
    if metric in _SECONDS:
        return f" ±{half:.1f}"
    return f" ±{half:,.0f}" if abs(high) >= 1000 else f" ±{half:,.2f}"


def compare_kpis(scenarios: Sequence[Scenario]) -> list[tuple[str, str, str]]:
    """The KPIs the comparison table shows: of every channel and pool of any scenario."""
    channels = list(dict.fromkeys(ch for sc in scenarios for ch in sc.channels))
    pools = list(dict.fromkeys(p for sc in scenarios for p in sc.pools))
    metrics = ("service_level", "asa", "abandon_rate")
    out = [("channel", ch, m) for ch in channels for m in metrics]
    out += [("pool", p, "occupancy") for p in pools]
    out += [("total", "all", m) for m in ("service_level", "cost", "cost_per_contact")]
    if any(has_journeys(sc) for sc in scenarios):
        out += [("journey", "all", m) for m in ("first_contact_resolution", "contacts_per_issue")]
    return out


def _kpi_label(scope: str, name: str, metric: str) -> str:
    what = _LABELS.get(metric, metric.replace("_", " "))
    if scope == "total":
        return f"all channels · {what}" if metric in ("service_level",) else what
    if scope == "journey":
        return what
    return f"{name} · {what}"


def compare_rich_table(result: CompareResult) -> Table:
    """KPIs per scenario (mean ± 95% CI half-width) and the paired difference to the first."""
    table = Table(
        title="Scenarios on common random numbers (mean ± 95% CI; Δ vs the first, paired; "
        "* = CI of Δ excludes 0)"
    )
    labels = result.labels
    table.add_column("KPI")
    for i, label in enumerate(labels):
        table.add_column(escape(label), justify="right")
        if i > 0:
            table.add_column(f"Δ {escape(label)}", justify="right")
    frame = result.table()
    ok = frame[frame["status"] == "ok"].set_index(["scenario", "scope", "name", "metric"])
    for key in compare_kpis(list(result.scenarios.values())):
        metric = key[2]
        cells = []
        present = False
        for i, label in enumerate(labels):
            full = (label, *key)
            if full not in ok.index:
                cells += ["–"] if i == 0 else ["–", ""]
                continue
            present = True
            r = ok.loc[full]  # type: ignore[index]
            cells.append(_value(r["mean"], metric) + _halfwidth(r["ci_low"], r["ci_high"], metric))
            if i > 0:
                delta = _value(r["diff"], metric, signed=True)
                delta += _halfwidth(r["diff_low"], r["diff_high"], metric)
                cells.append(f"[bold]{delta} *[/]" if r["significant"] else f"[dim]{delta}[/]")
        if present:
            table.add_row(_kpi_label(*key), *cells)
    return table


def sweep_rich_table(result: SweepResult, max_rows: int = 200) -> Table:
    """One row per point: factors, status, service levels, cost, frontier mark."""
    wide = result.table()
    frontier = result.frontier().set_index("point")["pareto"]
    title = "Sweep (mean ± 95% CI half-width; ★ = on the cost-service Pareto frontier)"
    table = Table(title=title)
    short = short_paths(result.factors, depth=1)
    for name in short.values():
        table.add_column(escape(name), justify="right")
    channels = list(result.base.channels)
    cols: list[tuple[str, str, str]] = [("channel", ch, "service_level") for ch in channels]
    cols += [("total", "all", "service_level"), ("total", "all", "cost")]
    for scope, name, metric in cols:
        head = f"{name} SL" if scope == "channel" else ("SL all" if metric != "cost" else "cost")
        table.add_column(escape(head), justify="right")
    table.add_column("", justify="center")
    for values in wide.head(max_rows).to_dict("records"):
        factors = [escape(_factor(values[f])) for f in result.factors]
        if values["status"] != "ok":
            error = str(values["error"] or values["status"])
            table.add_row(*factors, f"[red]failed: {escape(error[:60])}[/]", *[""] * len(cols))
            continue
        cells = []
        for key in cols:
            col = kpi_column(*key)
            half = _halfwidth(values[col + "_low"], values[col + "_high"], key[2])
            cells.append(_value(values[col], key[2]) + half)
        star = "★" if bool(frontier.get(values["point"], False)) else ""
        table.add_row(*factors, *cells, star)
    if len(wide) > max_rows:
        table.caption = f"first {max_rows} of {len(wide)} points; all are in sweep.parquet"
    return table


def _factor(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
