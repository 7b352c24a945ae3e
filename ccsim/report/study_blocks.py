"""Small HTML pieces of the study reports: number formats, stat cards, provenance, links.

Every function returns HTML text with user data escaped; the pages are put
together in :mod:`ccsim.report.study_html`.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ccsim.report.html import clock
from ccsim.report.studies import fmt_kpi, metric_kind
from ccsim.report.tables import money, sl_verdict
from ccsim.report.theme import fmt_duration, fmt_number, fmt_pct, fmt_value

__all__ = [
    "STUDY_CSS",
    "code",
    "esc",
    "estimate",
    "finite",
    "fmt_delta",
    "fmt_interval",
    "fmt_kpi_value",
    "kpi_label",
    "link",
    "num",
    "provenance_list",
    "sl_words",
    "stat",
    "study_provenance",
]

KPI = tuple[str, str, str]

_LABELS = {
    "service_level": "service level",
    "asa": "ASA",
    "abandon_rate": "abandoned",
    "cost_per_contact": "cost per contact",
    "first_contact_resolution": "first-contact resolution",
    "contacts_per_issue": "contacts per issue",
}


def finite(value: Any) -> bool:
    """Whether *value* is a finite number."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def num(value: Any) -> float:
    """*value* as a float, NaN when it is not a finite number (None, text)."""
    return float(value) if finite(value) else math.nan


def esc(value: Any) -> str:
    """*value* as HTML text."""
    return html.escape(str(value))


def fmt_kpi_value(value: Any, metric: str, currency: str = "") -> str:
    """A KPI value: ``72.4%``, ``12.5 s``, ``€15,379``, ``€4.65``, ``1.23``."""
    if not finite(value):
        return "–"
    v = float(value)
    kind = metric_kind(metric)
    if kind == "money":
        return money(v, currency, 2 if abs(v) < 100 else 0)
    return fmt_kpi(v, kind) if kind == "num" else fmt_value(v, kind)


def fmt_delta(value: Any, metric: str) -> str:
    """A difference: ``+6.0 pp``, ``-0.7 s``, ``+1,684``."""
    return fmt_kpi(float(value), metric_kind(metric), signed=True) if finite(value) else "–"


def fmt_interval(low: Any, high: Any, metric: str, currency: str = "", delta: bool = False) -> str:
    """``[lo, hi]`` of a KPI (or of a difference), empty when undefined."""
    if not (finite(low) and finite(high)):
        return ""
    if delta:
        return f"[{fmt_delta(low, metric)}, {fmt_delta(high, metric)}]"
    return f"[{fmt_kpi_value(low, metric, currency)}, {fmt_kpi_value(high, metric, currency)}]"


def kpi_label(scope: str, name: str, metric: str) -> str:
    """``voice · ASA``, or ``service level`` for the totals."""
    what = _LABELS.get(metric, metric.replace("_", " "))
    return what if scope in ("total", "journey") else f"{name} · {what}"


def estimate(part: pd.DataFrame, key: KPI) -> tuple[float, float, float]:
    """Mean and CI of KPI *key* in a tidy table (``scope, name, metric, mean, ci_low, ci_high``)."""
    row = part[(part["scope"] == key[0]) & (part["name"] == key[1]) & (part["metric"] == key[2])]
    if row.empty:
        return (math.nan, math.nan, math.nan)
    r = row.iloc[0]
    return (float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]))


def stat(label: str, value: str, ci: str = "", cls: str = "") -> str:
    """A stat card: a label, a big value, a small line under it."""
    return (
        f'<div class="stat {cls}"><div class="label">{esc(label)}</div>'
        f'<div class="value">{esc(value)}</div><div class="ci">{esc(ci)}</div></div>'
    )


def sl_words(
    est: tuple[float, float, float], target: Mapping[str, float] | None
) -> tuple[str, str]:
    """The verdict (``pass``, ``fail``, ``unsure``, ``none``) of a service level, in words."""
    goal = (target or {}).get("target")
    verdict = sl_verdict(*est, goal)
    if goal is None:
        return verdict, "no target"
    word = {"pass": "meets", "fail": "misses", "unsure": "CI spans"}.get(verdict, "")
    within = fmt_duration((target or {}).get("within"))
    return verdict, f"{word} target {fmt_pct(goal, 0)} in {within}"


def provenance_list(items: Sequence[tuple[str, str]], wide: Sequence[tuple[str, str]] = ()) -> str:
    """The header's ``<dl>``: short items side by side, then *wide* ones a line each."""
    rows = [f"<div><dt>{esc(k)}</dt><dd>{v}</dd></div>" for k, v in items]
    rows += [f'<div class="wide"><dt>{esc(k)}</dt><dd>{v}</dd></div>' for k, v in wide]
    return f'<dl class="provenance">{"".join(rows)}</dl>'


def study_provenance(
    identity: Mapping[str, Any], stats: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Version, seed, replications, precision, finishing time, compute time, contacts."""
    items = [
        ("ccsim", esc(identity.get("ccsim_version", "–"))),
        ("seed", esc(identity.get("seed", "–"))),
        ("replications", esc(identity.get("replications", "–"))),
    ]
    precision = identity.get("precision")
    if precision:
        metrics = ", ".join(precision[1]) if len(precision) > 1 else "the KPIs"
        most = identity.get("max_replications")
        text = f"±{precision[0]:g} on {metrics}, at most {most} replications"
        items.append(("precision", esc(text)))
    compute = stats.get("compute_seconds")
    items += [
        ("finished (UTC)", esc(clock(stats.get("finished_utc")))),
        ("compute time", f"{compute:,.1f} s" if finite(compute) else "–"),
        ("contacts simulated", fmt_number(stats.get("contacts_simulated"))),
    ]
    return items


def code(text: str, short: int | None = None) -> str:
    """*text* in ``<code>``, cut to *short* characters (the whole in its tooltip)."""
    shown = text[:short] if short else text
    return f'<code title="{esc(text)}">{esc(shown)}</code>'


def link(target: Path | None, base: Path | None, text: str) -> str:
    """A link to the file *target*, relative to the folder *base*; empty when there is none."""
    if target is None or base is None or not target.is_file():
        return ""
    href = Path(os.path.relpath(target, base)).as_posix()
    return f'<a class="report-link" href="{esc(href)}">{esc(text)}</a>'


STUDY_CSS = """
dl.provenance .pair{margin-right:18px;white-space:nowrap}
dl.provenance code{color:#e5e7eb}
a.report-link{color:#1d4ed8;font-weight:600;text-decoration:none;white-space:nowrap}
a.report-link:hover{text-decoration:underline}
.banner{background:#fee2e2;border:1px solid #fca5a5;color:#991b1b;border-radius:10px;
  padding:10px 14px;margin:0 0 12px;font-weight:600}
.stat.linkcard{display:flex;flex-direction:column;justify-content:center;gap:6px}
.stat.linkcard a.report-link{font-size:16px}
.scenarios{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:14px}
.scenario{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:12px 14px}
.scenario header{display:flex;align-items:baseline;gap:10px;margin-bottom:8px}
.scenario h3{margin:0;font-size:16px;font-weight:650;flex:1;overflow-wrap:anywhere}
.scenario .tag{background:#111827;color:#f9fafb;border-radius:999px;font-size:11px;
  padding:1px 8px;text-transform:uppercase;letter-spacing:.05em}
.scenario .mini{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:8px}
.scenario .mini .stat{padding:6px 10px;border-radius:8px;background:#f9fafb}
.scenario .mini .stat .value{font-size:19px}
.scenario.failed{border-left:5px solid #dc2626}
.scenario .error{color:#991b1b;margin:4px 0;font:12px ui-monospace,Menlo,Consolas,monospace}
ul.chips{list-style:none;padding:0;margin:10px 0 0;display:flex;flex-direction:column;gap:6px}
ul.chips li{display:flex;align-items:baseline;gap:10px;border-left:5px solid #9ca3af;
  background:#f9fafb;border-radius:6px;padding:5px 10px}
ul.chips li.pass{border-left-color:#16a34a}ul.chips li.fail{border-left-color:#dc2626}
ul.chips li.unsure{border-left-color:#d97706}
ul.chips .ch{font-weight:650;min-width:70px}
ul.chips .v{font-size:16px;font-weight:650;font-variant-numeric:tabular-nums;min-width:64px}
ul.chips .w{color:#6b7280;font-size:12px}
.table-card{overflow-x:auto;padding:0 0 8px}
details.card summary{cursor:pointer;font-weight:600;padding:6px 4px}
table.kpis{border-collapse:collapse;width:100%;font-size:12.5px;font-variant-numeric:tabular-nums}
table.kpis thead th{background:#1f2937;color:#f9fafb;font-weight:600;text-align:right;
  padding:7px 10px;white-space:nowrap;position:sticky;top:0}
table.kpis thead th:first-child{text-align:left}
table.kpis td,table.kpis tbody th{padding:6px 10px;border-bottom:1px solid #e5e7eb;
  text-align:right;vertical-align:top;white-space:nowrap}
table.kpis tbody th{text-align:left;font-weight:600}
table.kpis tr.group th{background:#f3f4f6;color:#4b5563;font-size:11px;text-transform:uppercase;
  letter-spacing:.06em;padding:4px 10px}
table.kpis .ci{display:block;color:#6b7280;font-size:11px}
table.kpis th.delta{background:#374151}
table.kpis td.sig.better{background:#dcfce7;color:#166534}
table.kpis td.sig.worse{background:#fee2e2;color:#991b1b}
table.kpis td.sig{background:#f3f4f6}
table.kpis td.ns{color:#6b7280}
table.kpis td.na{color:#9ca3af}
table.kpis td.verdict.pass{background:#dcfce7}table.kpis td.verdict.fail{background:#fee2e2}
table.kpis td.verdict.unsure{background:#fef3c7}
table.sweep td.factor{font-weight:600;background:#f9fafb}
table.sweep td.star{color:#0072B2;text-align:center;font-size:14px}
table.sweep td.status{color:#166534}
table.sweep td.status.bad{color:#991b1b;font-weight:700}
table.sweep tr.failed td{background:#fef2f2}
table.sweep td.error{text-align:left;color:#991b1b;white-space:normal;
  font:12px ui-monospace,Menlo,Consolas,monospace}
.caption{font-size:12.5px;color:#4b5563;padding:6px 12px 0;margin:0;max-width:980px}
"""
