"""HTML tables of the study reports: scenarios against targets, paired differences, sweep points.

Each takes the loaded study (:mod:`ccsim.report.study_data`) and returns HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ccsim.report.study_blocks import (
    esc,
    estimate,
    finite,
    fmt_delta,
    fmt_interval,
    fmt_kpi_value,
    kpi_label,
    link,
    num,
    sl_words,
    stat,
)
from ccsim.report.study_data import CompareData, OptimizeData, SweepData
from ccsim.report.tables import money
from ccsim.report.theme import fmt_ci, fmt_pct

__all__ = [
    "MAX_ROWS",
    "differences_table",
    "key_kpis",
    "ok_rows",
    "plan_table",
    "scenario_cards",
    "sweep_table",
]

KPI = tuple[str, str, str]

#: +1: more is better; -1: less is better (a significant change is coloured by it).
_BETTER = {
    "service_level": 1,
    "first_contact_resolution": 1,
    "asa": -1,
    "abandon_rate": -1,
    "cost": -1,
    "cost_per_contact": -1,
    "contacts_per_issue": -1,
}
_GROUPS = {"channel": "Channels", "pool": "Pools", "total": "All channels", "journey": "Journeys"}
#: Rows of the sweep table shown in the page (all of them are in sweep.parquet).
MAX_ROWS = 500


def ok_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the scenarios or points that finished."""
    if "status" in table.columns:
        return table[table["status"].astype(str) == "ok"]
    return table


def key_kpis(table: pd.DataFrame) -> list[KPI]:
    """The KPIs a planner reads first, of those in a compare table (``scope, name, metric``).

    Every channel's service level, ASA and abandonment; every pool's occupancy; the
    centre's service level, abandonment, cost and cost per contact (cost only when
    some scenario is priced); first-contact resolution and contacts per issue when
    some scenario has journeys (more than one contact per issue).
    """
    present = set(zip(table["scope"], table["name"], table["metric"], strict=True))
    channels = list(dict.fromkeys(table.loc[table["scope"] == "channel", "name"].astype(str)))
    pools = list(dict.fromkeys(table.loc[table["scope"] == "pool", "name"].astype(str)))
    out: list[KPI] = [
        ("channel", ch, m) for ch in channels for m in ("service_level", "asa", "abandon_rate")
    ]
    out += [("pool", p, "occupancy") for p in pools]
    out += [("total", "all", m) for m in ("service_level", "abandon_rate")]
    costs = table.loc[(table["scope"] == "total") & (table["metric"] == "cost"), "mean"]
    if (pd.to_numeric(costs, errors="coerce").fillna(0) > 0).any():
        out += [("total", "all", m) for m in ("cost", "cost_per_contact")]
    cpi = table.loc[(table["scope"] == "journey") & (table["metric"] == "contacts_per_issue")]
    if (pd.to_numeric(cpi["mean"], errors="coerce").fillna(1.0) > 1.0 + 1e-9).any():
        out += [("journey", "all", m) for m in ("first_contact_resolution", "contacts_per_issue")]
    return [k for k in out if k in present]


# --- compare ------------------------------------------------------------------------------------


def _report(folder: Path | None) -> Path | None:
    return None if folder is None else folder / "report.html"


def _failed_card(head: str, rows: pd.DataFrame) -> str:
    error = ""
    if not rows.empty and "error" in rows.columns:
        error = str(rows["error"].iloc[0] or "")
    first = error.splitlines()[0] if error else "no results"
    return (
        f'<article class="scenario failed">{head}<p class="error" '
        f'title="{esc(error)}">failed: {esc(first)}</p></article>'
    )


def scenario_cards(data: CompareData, base: Path | None) -> str:
    """A card per scenario: service level, abandonment and cost, each channel's verdict."""
    cards = []
    for i, label in enumerate(data.labels):
        rows = data.table[data.table["scenario"].astype(str) == label]
        tag = '<span class="tag">baseline</span>' if i == 0 else ""
        href = link(_report(data.run_folder(label)), base, "full report →")
        head = f"<header>{tag}<h3>{esc(label)}</h3>{href}</header>"
        ok = ok_rows(rows)
        if ok.empty:
            cards.append(_failed_card(head, rows))
            continue
        sl = estimate(ok, ("total", "all", "service_level"))
        ab = estimate(ok, ("total", "all", "abandon_rate"))
        cost = estimate(ok, ("total", "all", "cost"))
        mini = [
            stat("service level, all channels", fmt_pct(sl[0]), fmt_ci(sl[1], sl[2], "pct")),
            stat("abandoned", fmt_pct(ab[0]), fmt_ci(ab[1], ab[2], "pct")),
        ]
        if finite(cost[0]) and cost[0] > 0:
            ci = fmt_interval(cost[1], cost[2], "cost", data.currency)
            mini.append(stat("total cost", money(cost[0], data.currency), ci))
        targets = data.targets.get(label, {})
        chips = []
        for ch in dict.fromkeys(ok.loc[ok["scope"] == "channel", "name"].astype(str)):
            est = estimate(ok, ("channel", ch, "service_level"))
            verdict, words = sl_words(est, targets.get(ch))
            chips.append(
                f'<li class="verdict {verdict}"><span class="ch">{esc(ch)}</span>'
                f'<span class="v">{fmt_pct(est[0])}</span><span class="w">{esc(words)}</span></li>'
            )
        cards.append(
            f'<article class="scenario">{head}<div class="mini">{"".join(mini)}</div>'
            f'<ul class="chips">{"".join(chips)}</ul></article>'
        )
    return f'<div class="scenarios">{"".join(cards)}</div>'


def _significant(row: Mapping[Any, Any]) -> bool:
    if row.get("significant") is not None:
        return bool(row["significant"])
    return num(row.get("diff_low")) > 0 or num(row.get("diff_high")) < 0  # NaN: neither


def _diff_cell(row: Mapping[Any, Any] | None, metric: str) -> str:
    if row is None or not finite(row.get("diff")):
        return '<td class="na">–</td>'
    value = esc(fmt_delta(row["diff"], metric))
    ci = esc(fmt_interval(row.get("diff_low"), row.get("diff_high"), metric, delta=True))
    if not _significant(row):
        return f'<td class="ns">{value}<span class="ci">{ci} n.s.</span></td>'
    better = _BETTER.get(metric, 0) * (1 if float(row["diff"]) > 0 else -1)
    cls = "sig better" if better > 0 else ("sig worse" if better < 0 else "sig")
    return f'<td class="{cls}"><b>{value} *</b><span class="ci">{ci}</span></td>'


def _value_cell(row: Mapping[Any, Any] | None, metric: str, currency: str, cls: str = "") -> str:
    if row is None:
        return '<td class="na">–</td>'
    value = esc(fmt_kpi_value(row.get("mean"), metric, currency))
    ci = esc(fmt_interval(row.get("ci_low"), row.get("ci_high"), metric, currency))
    attr = f' class="{cls}"' if cls else ""
    return f'<td{attr}>{value}<span class="ci">{ci}</span></td>'


def differences_table(data: CompareData) -> str:
    """Key KPIs of every scenario with CIs, and each one's paired difference to the first."""
    ok = ok_rows(data.table)
    labels = [lb for lb in data.labels if (ok["scenario"].astype(str) == lb).any()]
    if not labels:
        return '<p class="caption">No scenario finished: there is nothing to compare.</p>'
    rows_by = {
        (str(r["scenario"]), r["scope"], r["name"], r["metric"]): r for r in ok.to_dict("records")
    }
    head = ["<th>KPI</th>"]
    for i, label in enumerate(labels):
        head.append(f"<th>{esc(label)}</th>")
        if i > 0:
            head.append(f'<th class="delta">Δ {esc(label)}</th>')
    body = []
    group = None
    for key in key_kpis(ok):
        if key[0] != group:
            group = key[0]
            title = _GROUPS.get(group, group)
            body.append(f'<tr class="group"><th colspan="{2 * len(labels)}">{title}</th></tr>')
        cells = [f'<th scope="row">{esc(kpi_label(*key))}</th>']
        for i, label in enumerate(labels):
            row = rows_by.get((label, *key))
            cells.append(_value_cell(row, key[2], data.currency))
            if i > 0:
                cells.append(_diff_cell(row, key[2]))
        body.append(f"<tr>{''.join(cells)}</tr>")
    legend = (
        f"Mean over the replications with its 95% CI. Δ: this scenario minus {labels[0]}, "
        "paired replication by replication (common random numbers), with the 95% paired-t "
        "interval. * and bold: the interval excludes zero — green where the change is for the "
        "better (higher service level, shorter waits, fewer abandons, lower cost), red where "
        "for the worse; n.s.: not significant at this level."
    )
    return _table_card("kpis compare", head, body, legend)


def _table(cls: str, head: list[str], body: list[str], caption: str) -> str:
    return (
        f'<table class="{cls}"><thead><tr>{"".join(head)}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table><p class="caption">{esc(caption)}</p>'
    )


def _table_card(cls: str, head: list[str], body: list[str], caption: str) -> str:
    return f'<div class="card table-card">{_table(cls, head, body, caption)}</div>'


# --- sweep --------------------------------------------------------------------------------------


def _factor_value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _sweep_columns(table: pd.DataFrame) -> list[KPI]:
    kpis = []
    for col in table.columns:
        parts = str(col).split(".")
        if len(parts) == 3 and not str(col).endswith(("_low", "_high")):
            kpis.append((parts[0], parts[1], parts[2]))
    order = {"channel": 0, "pool": 1, "total": 2, "journey": 3}
    return sorted(kpis, key=lambda k: order.get(k[0], 9))  # stable: design order within


def _sweep_head(kpi: KPI) -> str:
    scope, name, metric = kpi
    what = {"service_level": "SL", "abandon_rate": "abandoned"}.get(metric)
    if what is None:
        return kpi_label(scope, name, metric)
    return f"{what} all" if scope == "total" else f"{name} · {what}"


def _sweep_row(rec: Mapping[Any, Any], data: SweepData, kpis: list[KPI], star: str) -> str:
    cells = [f'<td class="star">{star}</td>']
    cells += [f'<td class="factor">{esc(_factor_value(rec.get(f)))}</td>' for f in data.factors]
    status = str(rec.get("status") or "missing")
    n = esc(rec.get("replications", 0))
    if status != "ok":
        error = str(rec.get("error") or status)
        cells.append(f'<td class="status bad">{esc(status)}</td><td>{n}</td>')
        cells.append(
            f'<td class="error" colspan="{len(kpis)}" title="{esc(error)}">'
            f"{esc(error.splitlines()[0])}</td>"
        )
        return f'<tr class="failed">{"".join(cells)}</tr>'
    cells.append(f'<td class="status">ok</td><td>{n}</td>')
    for scope, name, metric in kpis:
        col = f"{scope}.{name}.{metric}"
        row = {
            "mean": rec.get(col),
            "ci_low": rec.get(col + "_low"),
            "ci_high": rec.get(col + "_high"),
        }
        target = (
            data.targets.get(name) if scope == "channel" and metric == "service_level" else None
        )
        verdict = ""
        if target:
            est = (num(row["mean"]), num(row["ci_low"]), num(row["ci_high"]))
            verdict = "verdict " + sl_words(est, target)[0]
        cells.append(_value_cell(row, metric, data.currency, verdict))
    return f"<tr>{''.join(cells)}</tr>"


def sweep_table(data: SweepData) -> str:
    """One row per point: ★ on the frontier, factors, status, KPIs with CIs, or the error."""
    table, front = data.table, data.frontier
    pareto = set()
    if len(front) and {"point", "pareto"} <= set(front.columns):
        pareto = set(front.loc[front["pareto"].astype(bool), "point"].astype(str))
    kpis = _sweep_columns(table)
    head = ['<th title="on the cost-service Pareto frontier">★</th>']
    head += [f'<th title="{esc(f)}">{esc(".".join(f.split(".")[-2:]))}</th>' for f in data.factors]
    head += ["<th>status</th>", '<th title="replications">n</th>']
    head += [f"<th>{esc(_sweep_head(k))}</th>" for k in kpis]
    body = [
        _sweep_row(rec, data, kpis, "★" if str(rec.get("point")) in pareto else "")
        for rec in table.head(MAX_ROWS).to_dict("records")
    ]
    more = ""
    if len(table) > MAX_ROWS:
        more = f" The first {MAX_ROWS} of {len(table)} points are shown; all are in sweep.parquet."
    caption = (
        "One row per point, in design order: mean with its 95% CI over the replications. ★: "
        "on the cost-service Pareto frontier. A failed point shows its error (the traceback "
        f"is in points/<key>.json) and runs again with --retry-failed.{more}"
    )
    return _table_card("kpis sweep", head, body, caption)


# --- optimize -----------------------------------------------------------------------------------


def plan_table(data: OptimizeData) -> str:
    """The plan as a table (``staffing.csv``), folded: agents per interval and pool."""
    start = data.start or {}
    head = ["<th>interval starting</th>"]
    for pool in data.pools:
        head.append(f"<th>{esc(pool)}</th>")
        if pool in start:
            head.append(f'<th class="delta">{esc(pool)} at the start</th>')
    body = []
    for k, rec in enumerate(data.staffing.to_dict("records")):
        cells = [f'<th scope="row">{esc(rec["interval"])}</th>']
        for pool in data.pools:
            cells.append(f"<td>{esc(rec[pool])}</td>")
            if pool in start:
                first = start[pool][k] if k < len(start[pool]) else "–"
                cells.append(f'<td class="ns">{esc(first)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption = "Agents scheduled per interval (before shrinkage), as in staffing.csv."
    return (
        '<details class="card table-card"><summary>The plan as a table</summary>'
        f"{_table('kpis plan', head, body, caption)}</details>"
    )
