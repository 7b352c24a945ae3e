"""The standalone HTML report: one file, plotly.js embedded once, works offline.

>>> write_report("results/voice-chat-blended-20261123-101500", "report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs_version

from ccsim.report import figures as F
from ccsim.report.data import ReportData, load_results
from ccsim.report.tables import money, sl_verdict
from ccsim.report.theme import FONT, fmt_ci, fmt_duration, fmt_number, fmt_pct

__all__ = [
    "PLOTLY_CONFIG",
    "Figure",
    "atomic_write",
    "build_figures",
    "clock",
    "render_page",
    "render_report",
    "write_report",
]

#: No "share to Plotly Cloud" button (contact-centre data is often confidential), no logo.
PLOTLY_CONFIG: dict[str, Any] = {
    "showSendToCloud": False,
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure of the report with its fixed ``div_id``, section and caption."""

    div_id: str
    section: str
    figure: go.Figure
    caption: str


SECTIONS = {
    "targets": "Targets",
    "service": "Service over the day",
    "demand": "Demand",
    "staffing": "Staffing and occupancy",
    "journeys": "Customer journeys",
    "cost": "Cost",
}


def build_figures(data: ReportData) -> list[Figure]:
    """Every figure of the report for *data*, in reading order."""
    iv, piv = data.intervals, data.pool_intervals
    n = data.provenance.get("replications") or iv.get("replication", pd.Series([0])).nunique()
    band = f"The band is the 95% confidence interval over {n} replications."
    days = iv["day"].nunique() if "day" in iv.columns else 1
    over_days = ", averaged over the days" if days > 1 else ""
    pick = " The menu at the top right shows a single day." if days > 1 else ""
    items = [
        Figure(
            "fig-kpis",
            "targets",
            F.kpi_table(data.summary, data.targets),
            "Green: the whole 95% CI meets the target; red: wholly below it; amber: the "
            "interval contains the target, so more replications are needed to tell.",
        ),
        Figure(
            "fig-service-level",
            "service",
            F.service_level_figure(iv, data.targets),
            "Share of contacts answered within the target time, by the interval in which "
            f"they arrived{over_days} (abandons count against). {band}{pick}",
        ),
        Figure(
            "fig-asa",
            "service",
            F.asa_figure(iv),
            f"Mean wait of the contacts answered. {band}",
        ),
        Figure(
            "fig-abandonment",
            "service",
            F.abandonment_figure(iv),
            f"Abandoned / (answered + abandoned). {band}",
        ),
        Figure(
            "fig-queue",
            "service",
            F.queue_figure(iv),
            f"Time-average number of contacts waiting in the interval. {band}",
        ),
        Figure(
            "fig-volume",
            "demand",
            F.volume_figure(iv),
            "Contacts offered (bars) and answered (line) per interval; the gap is "
            "abandonment and contacts still waiting at the end. Hover for the 95% CI.",
        ),
        Figure(
            "fig-staffing",
            "staffing",
            F.staffing_figure(piv),
            "Scheduled headcount, agents on duty after shrinkage (breaks, training, "
            "absence) and agents busy with contacts (time averages).",
        ),
        Figure(
            "fig-occupancy",
            "staffing",
            F.occupancy_heatmap(piv),
            "Busy time / on-duty time per pool. Sustained occupancy above about 90% "
            "leaves no slack for peaks and wears agents out.",
        ),
    ]
    flows = data.mean_flows()
    if flows is not None:
        items.append(
            Figure(
                "fig-journeys",
                "journeys",
                F.journey_sankey(flows),
                "Contacts per replication on average. Left: where each contact comes from "
                "(a new issue, or the customer's previous contact on a channel: a retry, a "
                "switch after abandoning, a follow-up or a repeat of an unresolved issue). "
                "Right: the channel of the next contact, or how the issue ended.",
            )
        )
    if _priced(data):
        items.append(
            Figure(
                "fig-cost",
                "cost",
                F.cost_figure(data.summary, data.currency),
                "Paid agent cost over the horizon (95% CI), split into time handling "
                "contacts, idle time on duty and paid time off the phones.",
            )
        )
    return items


def _priced(data: ReportData) -> bool:
    """Whether the scenario gives any cost (a figure of zeros says nothing)."""
    cost = _value(data, "total", "all", "cost")[0]
    return not math.isnan(cost) and cost > 0


def _figure_html(item: Figure, first: bool) -> str:
    height = item.figure.layout.height or 420
    div = pio.to_html(
        item.figure,
        full_html=False,
        include_plotlyjs=first,
        div_id=item.div_id,
        config=PLOTLY_CONFIG,
        default_width="100%",
        default_height=f"{height}px",
    )
    return (
        f'<figure class="card figure" data-figure="{item.div_id}">{div}'
        f"<figcaption>{html.escape(item.caption)}</figcaption></figure>"
    )


def _value(data: ReportData, scope: str, name: str, metric: str) -> tuple[float, float, float]:
    s = data.summary
    row = s[(s["scope"] == scope) & (s["name"] == name) & (s["metric"] == metric)]
    if row.empty:
        return (math.nan, math.nan, math.nan)
    r = row.iloc[0]
    return (float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]))


def _cards(data: ReportData) -> str:
    sl = _value(data, "total", "all", "service_level")
    ab = _value(data, "total", "all", "abandon_rate")
    offered = _value(data, "total", "all", "offered")
    cost = _value(data, "total", "all", "cost")
    cpc = _value(data, "total", "all", "cost_per_contact")
    cards = [
        ("contacts offered", fmt_number(offered[0]), fmt_ci(offered[1], offered[2], "count")),
        ("service level, all channels", fmt_pct(sl[0]), fmt_ci(sl[1], sl[2], "pct")),
        ("abandoned", fmt_pct(ab[0]), fmt_ci(ab[1], ab[2], "pct")),
    ]
    if _priced(data):
        cards += [
            ("total cost", money(cost[0], data.currency), fmt_ci(cost[1], cost[2], "money")),
            ("cost per answered contact", money(cpc[0], data.currency, 2), ""),
        ]
    else:
        cards.append(("total cost", "–", "no costs in the scenario"))
    totals = [
        f'<div class="stat"><div class="label">{html.escape(label)}</div>'
        f'<div class="value">{html.escape(value)}</div>'
        f'<div class="ci">{html.escape(ci)}</div></div>'
        for label, value, ci in cards
    ]
    out = []
    for name, target in data.targets.items():
        mean, low, high = _value(data, "channel", name, "service_level")
        goal = target.get("target")
        verdict = sl_verdict(mean, low, high, goal)
        word = {"pass": "meets", "fail": "misses", "unsure": "CI spans"}.get(verdict, "no")
        out.append(
            f'<div class="stat verdict {verdict}"><div class="label">{html.escape(name)}</div>'
            f'<div class="value">{fmt_pct(mean)}</div>'
            f'<div class="ci">{word} target {fmt_pct(goal, 0) if goal is not None else ""} '
            f"in {html.escape(fmt_duration(target.get('within')))}</div></div>"
        )
    return (
        f'<section class="stats">{"".join(totals)}</section>'
        f'<section class="stats channels">{"".join(out)}</section>'
    )


def _provenance(data: ReportData) -> str:
    p = data.provenance
    sha = str(p.get("scenario_sha256") or "")
    wall = p.get("wall_seconds")
    items: list[tuple[str, str]] = [
        ("ccsim", str(p.get("ccsim_version", "–"))),
        ("seed", str(p.get("seed", "–"))),
        ("replications", str(p.get("replications", "–"))),
        ("scenario sha256", f'<code title="{html.escape(sha)}">{html.escape(sha[:12])}</code>'),
        ("started (UTC)", html.escape(clock(p.get("started_utc")))),
        ("run time", f"{wall:.1f} s" if isinstance(wall, int | float) else "–"),
        ("contacts simulated", fmt_number(p.get("contacts_simulated"))),
        ("python", html.escape(str(p.get("python", "–")))),
        ("numpy", html.escape(str(p.get("numpy", "–")))),
    ]
    rows = [f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in items]
    command = p.get("command")
    if command:
        rows.append(
            f'<div class="wide"><dt>command</dt><dd><code>{html.escape(str(command))}'
            "</code></dd></div>"
        )
    return f'<dl class="provenance">{"".join(rows)}</dl>'


def clock(stamp: Any) -> str:
    """``2026-11-23T00:05:56+00:00`` as ``2026-11-23 00:05:56``."""
    if not stamp:
        return "–"
    return str(stamp).replace("T", " ").removesuffix("+00:00")


def render_report(data: ReportData) -> str:
    """The report as one HTML document (plotly.js embedded in the first figure)."""
    items = build_figures(data)
    return render_page(
        title=data.name,
        kicker="ccsim simulation report",
        description=data.description,
        provenance=_provenance(data),
        cards=_cards(data),
        sections=[
            (key, title, [i for i in items if i.section == key]) for key, title in SECTIONS.items()
        ],
        version=str(data.provenance.get("ccsim_version", "")),
    )


#: A part of a section: a figure, or HTML (a table, cards) placed as it is.
Block = Figure | str


def render_page(
    *,
    title: str,
    kicker: str,
    description: str,
    provenance: str,
    cards: str,
    sections: Sequence[tuple[str, str, Sequence[Block]]],
    version: str,
    kind: str = "run",
    css: str = "",
) -> str:
    """A report page: header, cards, then each non-empty section; plotly.js goes in once.

    *title*, *kicker*, *description*, section titles and *version* are text (escaped
    here); *provenance*, *cards* and the string blocks are HTML. *kind* is written
    to ``<body data-report>``; *css* is appended to the report's style sheet.
    """
    body: list[str] = []
    count = 0
    for key, heading, blocks in sections:
        parts = []
        for block in blocks:
            if isinstance(block, Figure):
                parts.append(_figure_html(block, count == 0))
                count += 1
            elif block:
                parts.append(block)
        if parts:
            body.append(
                f'<section class="block" id="{key}"><h2>{html.escape(heading)}</h2>'
                f'<div class="grid">{"".join(parts)}</div></section>'
            )
    desc = " ".join(description.split())
    return _PAGE.format(
        title=html.escape(title),
        kind=html.escape(kind),
        css=(_CSS + css).replace("$FONT", FONT),
        kicker=html.escape(kicker),
        name=html.escape(title),
        description=f'<p class="description">{html.escape(desc)}</p>' if desc else "",
        provenance=provenance,
        cards=cards,
        body="\n".join(body),
        footer=(
            f"ccsim {html.escape(version)} · plotly.js {get_plotlyjs_version()} embedded: "
            "this file works offline and sends nothing anywhere."
        ),
        count=count,
    )


def atomic_write(path: Path, text: str) -> None:
    """Write UTF-8 *text* to *path* through a temporary file: no reader sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(
    folder_or_tables: str | Path | ReportData | Mapping[str, Any], path: str | Path
) -> Path:
    """Write the standalone HTML report of a run to *path* (atomically) and return it.

    Parameters
    ----------
    folder_or_tables
        A results folder written by ``ccsim run``; a :class:`ReportData`; or a
        mapping with the keys of :meth:`ReportData.from_tables` (``summary``,
        ``intervals``, ``pool_intervals``, optional ``scenario``, ``provenance``).
    path
        The HTML file to write.
    """
    if isinstance(folder_or_tables, ReportData):
        data = folder_or_tables
    elif isinstance(folder_or_tables, Mapping):
        data = ReportData.from_tables(**folder_or_tables)
    else:
        data = load_results(folder_or_tables)
    out = Path(path)
    atomic_write(out, render_report(data))
    return out


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ccsim">
<title>{title} · ccsim report</title>
<style>{css}</style>
</head>
<body data-figures="{count}" data-report="{kind}">
<header class="top">
<div class="kicker">{kicker}</div>
<h1>{name}</h1>
{description}
{provenance}
</header>
<main>
{cards}
{body}
</main>
<footer>{footer}</footer>
<noscript>The figures need JavaScript (plotly.js is embedded in this file).</noscript>
</body>
</html>
"""

_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#1f2937;font:14px/1.5 $FONT}
header.top{background:#111827;color:#f9fafb;padding:28px max(24px,calc(50% - 620px)) 20px}
.kicker{text-transform:uppercase;letter-spacing:.08em;font-size:11px;color:#9ca3af}
h1{margin:4px 0 6px;font-size:28px;font-weight:650}
.description{max-width:860px;margin:0 0 16px;color:#d1d5db}
dl.provenance{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0;font-size:12px}
dl.provenance div{min-width:90px}
dl.provenance dt{color:#9ca3af}
dl.provenance dd{margin:0;color:#f9fafb}
dl.provenance .wide{flex-basis:100%}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
main{max-width:1240px;margin:0 auto;padding:20px 24px 8px}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-bottom:12px}
.stats.channels{grid-template-columns:repeat(auto-fill,minmax(220px,1fr))}
.stat{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:12px 14px}
.stat .label{font-size:12px;color:#6b7280}
.stat .value{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}
.stat .ci{font-size:12px;color:#6b7280;min-height:18px}
.stat.verdict{border-left:5px solid #9ca3af}
.stat.pass{border-left-color:#16a34a}.stat.fail{border-left-color:#dc2626}
.stat.unsure{border-left-color:#d97706}
h2{font-size:18px;margin:22px 0 10px;font-weight:650}
.grid{display:grid;grid-template-columns:minmax(0,1fr);gap:14px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:10px;margin:0;padding:10px 12px 8px;
  min-width:0}
figcaption{font-size:12.5px;color:#4b5563;padding:4px 6px 2px;max-width:980px}
footer{max-width:1240px;margin:8px auto 28px;padding:0 24px;font-size:12px;color:#6b7280}
@media print{body{background:#fff}header.top,header.top *{background:#fff;color:#000}
  .card{break-inside:avoid;border-color:#ccc}}
"""
