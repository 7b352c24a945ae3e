"""Reports of regression checks as text: cells for tables, plain text, Markdown, JUnit XML.

Pure functions from :class:`~ccsim.experiments.regression.ScenarioCheck` to
strings; the command line and the pytest plugin print or write them.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ccsim.experiments.comparison import KpiComparison
from ccsim.experiments.margins import metric_kind
from ccsim.experiments.regression import ScenarioCheck

__all__ = [
    "COLUMNS",
    "junit_xml",
    "kpi_cells",
    "markdown_summary",
    "scenario_heading",
    "text_report",
]

#: Column titles of a KPI table.
COLUMNS = ("KPI", "baseline", "now", "delta", "margin", "p (Holm)", "verdict")

_STATUS_MARK = {"pass": "✅", "fail": "❌", "changed": "❌", "error": "❌"}


def _value(metric: str, value: float) -> str:
    if value is None or math.isnan(value):
        return "–"
    kind = metric_kind(metric)
    if kind == "ratio":
        return f"{100 * value:.2f}%"
    if kind == "time":
        return f"{value:,.2f}s"
    if kind == "hours":
        return f"{value:,.1f}h"
    if kind in ("cost", "count"):
        return f"{value:,.2f}" if abs(value) < 1e4 else f"{value:,.0f}"
    return f"{value:.4g}"


def _delta(k: KpiComparison) -> str:
    if math.isnan(k.delta):
        return "–"
    kind = metric_kind(k.key[2])
    if kind == "ratio":
        return f"{100 * k.delta:+.2f} pt"
    text = _value(k.key[2], k.delta)
    text = text if text.startswith("-") else f"+{text}"
    if k.baseline_mean and not math.isnan(k.baseline_mean) and k.delta:
        text += f" ({k.delta / abs(k.baseline_mean):+.1%})"
    return text


def _margin(k: KpiComparison) -> str:
    if math.isnan(k.margin):
        return "–"
    if metric_kind(k.key[2]) == "ratio":
        return f"±{100 * k.margin:.2f} pt"
    return f"±{_value(k.key[2], k.margin)}"


def _pvalue(k: KpiComparison) -> str:
    p = k.p_adjusted
    if math.isnan(p):
        return "–"
    if k.deterministic:
        return "exact" if p == 1 else "0 (exact)"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def kpi_cells(k: KpiComparison) -> tuple[str, ...]:
    """The cells of one KPI row, in the order of :data:`COLUMNS`."""
    metric = k.key[2]
    verdict = "FAIL" if k.failed else k.verdict
    return (
        k.label,
        _value(metric, k.baseline_mean),
        _value(metric, k.now_mean),
        _delta(k),
        _margin(k),
        _pvalue(k),
        verdict,
    )


def scenario_heading(check: ScenarioCheck) -> str:
    """``regression-voice-day (scenarios/regression/voice_day.yaml): 20 replications, ...``."""
    where = check.scenario_path or check.baseline_path
    text = f"{check.scenario_name} ({where})"
    if check.seed is not None:
        text += f": {check.replications} replications, seed {check.seed}"
        if check.test is not None:
            text += f", {check.test} t-test"
        if check.baseline is not None:
            b = check.baseline
            text += (
                f"; baseline {b.replications} replications, seed {b.seed}, ccsim {b.ccsim_version}"
            )
    return text


def _table_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.ljust(w) if i in (0, len(row) - 1) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def text_report(check: ScenarioCheck, *, only_failed: bool = False) -> str:
    """A plain-text report of one scenario: heading, verdict and KPI table."""
    lines = [scenario_heading(check), f"{check.status.upper()}: {check.message}"]
    if check.digest_now is not None:
        same = "identical" if check.digest_matches else "different"
        lines.append(
            f"contact records of replication 0: {same} "
            f"({(check.digest_baseline or '?')[:12]} → {check.digest_now[:12]})"
        )
    kpis = check.failed_kpis if only_failed else check.kpis
    if kpis:
        lines.append("")
        lines.extend(_table_lines([COLUMNS, *(kpi_cells(k) for k in kpis)]))
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(kpis: Sequence[KpiComparison]) -> list[str]:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for k in kpis:
        lines.append("| " + " | ".join(_md_cell(c) for c in kpi_cells(k)) + " |")
    return lines


def markdown_summary(checks: Sequence[ScenarioCheck]) -> str:
    """A Markdown summary of all checks (for ``$GITHUB_STEP_SUMMARY``)."""
    passed = sum(c.passed for c in checks)
    lines = [
        f"## ccsim check: {passed} of {len(checks)} scenarios pass",
        "",
        "| | scenario | status | detail |",
        "|---|---|---|---|",
    ]
    for c in checks:
        where = c.scenario_path or c.baseline_path
        lines.append(
            f"| {_STATUS_MARK[c.status]} | {_md_cell(c.scenario_name)} (`{where}`) "
            f"| {c.status} | {_md_cell(c.message)} |"
        )
    for c in checks:
        if not c.kpis:
            continue
        lines += ["", f"### {_STATUS_MARK[c.status]} {_md_cell(scenario_heading(c))}", ""]
        if c.failed_kpis:
            lines += [*_md_table(c.failed_kpis), ""]
        lines += ["<details><summary>all KPIs</summary>", "", *_md_table(c.kpis), "", "</details>"]
    alpha = checks[0].alpha if checks else 0.05
    lines += [
        "",
        "A KPI fails when its t-test (paired with the baseline's seed and replications, "
        "else Welch), Holm-corrected over the scenario's KPIs "
        f"(family-wise α = {alpha:g}), finds a change *and* the change exceeds its margin.",
        "",
    ]
    return "\n".join(lines)


def junit_xml(checks: Sequence[ScenarioCheck], suite: str = "ccsim check") -> str:
    """JUnit XML: one test case per scenario; failures list the failed KPIs."""
    failures = sum(c.status in ("fail", "changed") for c in checks)
    errors = sum(c.status == "error" for c in checks)
    total_time = sum(_seconds(c) for c in checks)
    attrs = {
        "name": suite,
        "tests": str(len(checks)),
        "failures": str(failures),
        "errors": str(errors),
        "time": f"{total_time:.3f}",
    }
    root = ET.Element("testsuites", attrs)
    suite_el = ET.SubElement(root, "testsuite", {**attrs, "skipped": "0"})
    for c in checks:
        case = ET.SubElement(
            suite_el,
            "testcase",
            {
                "classname": "ccsim.check",
                "name": c.key,
                "file": str(c.scenario_path or c.baseline_path or ""),
                "time": f"{_seconds(c):.3f}",
            },
        )
        if c.status in ("fail", "changed"):
            fail = ET.SubElement(case, "failure", {"type": c.status, "message": c.message})
            fail.text = text_report(c, only_failed=True)
        elif c.status == "error":
            err = ET.SubElement(case, "error", {"type": "error", "message": c.message})
            err.text = c.message
        if c.kpis:
            ET.SubElement(case, "system-out").text = text_report(c)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _seconds(check: ScenarioCheck) -> float:
    if check.result is None:
        return 0.0
    return float(check.result.provenance.get("wall_seconds", 0.0))
