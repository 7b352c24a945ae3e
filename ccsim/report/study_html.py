"""The standalone HTML reports of studies: comparisons, sweeps and optimisations.

One self-contained page per study folder, in the style of the run report
(:mod:`ccsim.report.html`, whose page frame it shares): plotly.js embedded once,
no "share" button, works offline. The page reads only the saved files (see
:mod:`ccsim.report.study_data`).

>>> write_study_report("results/compare-siloed-blended-1a2b3c4d")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ccsim.report import figures as F
from ccsim.report.html import Figure, atomic_write, render_page, write_report
from ccsim.report.studies import compare_figure, frontier_figure
from ccsim.report.study_blocks import (
    STUDY_CSS,
    code,
    esc,
    estimate,
    fmt_interval,
    link,
    provenance_list,
    sl_words,
    stat,
    study_provenance,
)
from ccsim.report.study_data import CompareData, OptimizeData, StudyData, SweepData, load_study
from ccsim.report.study_figures import (
    factor_figure,
    search_history_figure,
    staffing_plan_figure,
    validation_figure,
)
from ccsim.report.study_tables import (
    differences_table,
    key_kpis,
    ok_rows,
    plan_table,
    scenario_cards,
    sweep_table,
)
from ccsim.report.tables import money
from ccsim.report.theme import fmt_number, fmt_pct

__all__ = ["build_study_figures", "render_study_report", "write_study_report"]


# --- figures ------------------------------------------------------------------------------------


def _compare_figures(data: CompareData) -> list[Figure]:
    ok = ok_rows(data.table)
    labels = list(dict.fromkeys(ok["scenario"].astype(str)))
    # Side by side only what every scenario has (a pool of one organisation alone has no Δ).
    have = ok.groupby(["scope", "name", "metric"], sort=False)["scenario"].nunique()
    shared = [k for k in key_kpis(ok) if have.get(k, 0) == len(labels)]
    if not shared:
        return []
    order = {k: i for i, k in enumerate(shared)}
    keys = list(zip(ok["scope"], ok["name"], ok["metric"], strict=True))
    part = ok.assign(_order=[order.get(k, -1) for k in keys])
    part = part[part["_order"] >= 0].sort_values("_order", kind="stable")
    caption = (
        "Each scenario's mean with its 95% CI over the replications. Every scenario after "
        f"the first is marked with its paired difference Δ to {labels[0]}: a filled circle "
        "and bold Δ when the paired 95% CI of the difference excludes zero, an open circle "
        "(n.s.) when it does not. KPIs of every scenario only; the table below also has "
        "those of one organisation's pools."
    )
    return [Figure("fig-compare", "side", compare_figure(part.drop(columns="_order")), caption)]


def _common_target(targets: Mapping[str, Mapping[str, float]]) -> float | None:
    goals = {float(t["target"]) for t in targets.values() if t.get("target") is not None}
    return goals.pop() if len(goals) == 1 else None


def _sweep_figures(data: SweepData) -> list[Figure]:
    out = []
    front = data.frontier
    if len(front) and front["cost"].notna().any() and front["service_level"].notna().any():
        pareto = int(front["pareto"].astype(bool).sum()) if "pareto" in front.columns else 0
        caption = (
            "Each finished point's total cost against the service level of all channels "
            f"together, with 95% CIs (bars). Blue, labelled: the {pareto} Pareto-optimal "
            "points, which no other point beats on both cost and service; the dotted line "
            "joins them in order of cost. Grey: dominated points."
        )
        figure = frontier_figure(front, _common_target(data.targets))
        out.append(Figure("fig-frontier", "frontier", figure, caption))
    if len(data.factors) == 1 and len(data.ok) >= 2:
        factor = data.factors[0]
        channels = [
            str(c).split(".")[1]
            for c in data.table.columns
            if str(c).startswith("channel.") and str(c).endswith(".service_level")
        ]
        caption = (
            f"Service level of each channel (solid) and of all channels (dashed) at each value "
            f"of {factor}, and the total cost below; the bars are 95% CIs over the "
            "replications. Every point runs the same replications of the same seed, so the "
            "steps between neighbouring points are the factor's effect, not noise of the draw."
        )
        figure = factor_figure(data.ok, factor, channels, data.currency, data.targets)
        out.append(Figure("fig-factor", "factor", figure, caption))
    return out


def _optimize_figures(data: OptimizeData) -> list[Figure]:
    out = [
        Figure(
            "fig-plan",
            "plan",
            staffing_plan_figure(data.staffing, data.start),
            "Bars: agents scheduled per interval in the plan found (before shrinkage), one "
            "panel per optimised pool. Dashed: the analytic start, Erlang A staffing per "
            "interval for each channel's target at its arrival rate, which the search then "
            "repaired by simulation and trimmed.",
        )
    ]
    if data.final is not None:
        out.append(
            Figure(
                "fig-kpis",
                "targets",
                F.kpi_table(data.final.summary, data.final.targets),
                "The plan's KPIs over the whole day (95% CIs over the replications of the "
                "search's seed). Green: the whole CI meets the target; red: wholly below; "
                "amber: the CI contains the target. The search judges every interval on its "
                "own, which is stricter than this day-level verdict.",
            )
        )
    if data.validation is not None and len(data.validation):
        misses = int(data.validation["significant_miss"].astype(bool).sum())
        out.append(
            Figure(
                "fig-validation",
                "targets",
                validation_figure(data.validation, list(data.staffing["interval"].astype(str))),
                "The plan simulated again with another seed: service level per interval with "
                f"its 95% CI. {misses} of {len(data.validation)} channel-intervals are "
                "significantly below their target (the whole CI below it). The search "
                "guarantees the targets under its own random numbers; with another seed an "
                "interval may fall a little short by sampling noise, but not significantly.",
            )
        )
    if len(data.history):
        out.append(
            Figure(
                "fig-history",
                "search",
                search_history_figure(data.history, data.chosen_step, data.currency),
                "Every plan the search simulated, in order: the analytic start, repairs (one "
                "agent more in every interval that misses a target), then trims (agents "
                "removed where there is slack, in batches and then one interval at a time). "
                "Green: every interval meets its targets; red: some interval misses. Every "
                "evaluation uses the same seed, so plans differ by staffing only. Hover for "
                "what a plan missed.",
            )
        )
    return out


def build_study_figures(data: StudyData) -> list[Figure]:
    """Every figure of the study report for *data*, in reading order."""
    if isinstance(data, CompareData):
        return _compare_figures(data)
    if isinstance(data, SweepData):
        return _sweep_figures(data)
    return _optimize_figures(data)


def _in(figures: list[Figure], section: str) -> list[Figure]:
    return [f for f in figures if f.section == section]


# --- pages: the arguments of render_page ----------------------------------------------------------


def _compare_page(data: CompareData, base: Path | None) -> dict[str, Any]:
    ident, labels = data.identity, data.labels
    first = labels[0] if labels else "the first"
    scenarios = ident.get("scenarios") or [{"label": lb} for lb in labels]
    hashes = " ".join(
        f'<span class="pair">{esc(s.get("label", ""))} '
        f"{code(str(s.get('scenario_sha256') or ''), 12)}</span>"
        for s in scenarios
    )
    wide = [("scenarios (sha256)", hashes)]
    if data.info.get("command"):
        wide.append(("command", code(str(data.info["command"]))))
    finished = set(ok_rows(data.table)["scenario"].astype(str))
    failed = [lb for lb in labels if lb not in finished]
    description = (
        f"{len(labels)} scenarios simulated on common random numbers: replication r of each "
        f"sees the same customers, so each difference to the baseline, {first}, is estimated "
        "pair by pair with a narrow interval."
    )
    if failed:
        description += f" Failed: {', '.join(failed)}."
    figures = build_study_figures(data)
    return {
        "kicker": "ccsim comparison report",
        "title": " vs ".join(labels) or "comparison",
        "description": description,
        "provenance": provenance_list(study_provenance(ident, data.stats), wide),
        "cards": "",
        "sections": [
            ("scenarios", "Scenarios against their targets", [scenario_cards(data, base)]),
            ("side", "Side by side", _in(figures, "side")),
            ("differences", f"Differences against {first}", [differences_table(data)]),
        ],
        "version": str(ident.get("ccsim_version", "")),
    }


def _factor_values(data: SweepData) -> str:
    grid = data.info.get("grid") or {}
    out = []
    for f in data.factors:
        values = grid.get(f)
        if values is None and f in data.table.columns:
            values = list(dict.fromkeys(data.table[f].tolist()))
        values = list(values or [])
        shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values[:12])
        out.append(f"{f} ∈ {{{shown}{'…' if len(values) > 12 else ''}}}")
    how = " (zipped)" if data.info.get("combine") == "list" else ""
    return "; ".join(out) + how


def _sweep_cards(data: SweepData) -> str:
    table, ok, front = data.table, data.ok, data.frontier
    failed = len(table) - len(ok)
    cards = [
        stat(
            "points finished",
            f"{len(ok)} of {len(table)}",
            f"{failed} failed" if failed else "none failed",
            "verdict fail" if failed else "",
        )
    ]
    if len(front) and front["cost"].notna().any():
        on = int(front["pareto"].astype(bool).sum()) if "pareto" in front.columns else 0
        cards.append(stat("on the Pareto frontier", str(on), f"of {len(front)} points"))
        cheap = front.sort_values("cost").iloc[0]
        cards.append(
            stat("cheapest point", money(cheap["cost"], data.currency), str(cheap["label"]))
        )
    if len(front) and front["service_level"].notna().any():
        best = front.sort_values("service_level", ascending=False).iloc[0]
        cards.append(stat("best service level", fmt_pct(best["service_level"]), str(best["label"])))
    return f'<section class="stats">{"".join(cards)}</section>'


def _sweep_page(data: SweepData, base: Path | None) -> dict[str, Any]:
    ident = data.identity
    items = study_provenance(ident, data.stats)
    items.insert(3, ("points", esc(len(data.table))))
    sha = str(ident.get("scenario_sha256") or "")
    wide = [("scenario sha256", code(sha))] if sha else []
    wide.append(("factors", esc(_factor_values(data))))
    if data.info.get("command"):
        wide.append(("command", code(str(data.info["command"]))))
    figures = build_study_figures(data)
    along = f"Along {data.factors[0]}" if data.factors else ""
    return {
        "kicker": "ccsim sweep report",
        "title": f"Sweep of {data.scenario}" if data.scenario else "Sweep",
        "description": (
            f"{len(data.table)} variants of {data.scenario or 'the scenario'}, each simulated "
            "on the same replications of the same seed (common random numbers), so that "
            "neighbouring points differ by their factors, not by luck."
        ),
        "provenance": provenance_list(items, wide),
        "cards": _sweep_cards(data),
        "sections": [
            ("frontier", "Cost against service", _in(figures, "frontier")),
            ("factor", along, _in(figures, "factor")),
            ("points", "Points", [sweep_table(data)]),
        ],
        "version": str(ident.get("ccsim_version", "")),
    }


def _optimize_cards(data: OptimizeData, base: Path | None) -> str:
    h, final = data.history, data.final
    cards = []
    if final is not None:
        cost = estimate(final.summary, ("total", "all", "cost"))
        ci = fmt_interval(cost[1], cost[2], "cost", data.currency)
        cards.append(stat("plan cost", money(cost[0], data.currency), ci))
    if len(h):
        first = h.sort_values("step").iloc[0]
        state = "met every target" if bool(first["feasible"]) else "missed a target"
        cards.append(stat("analytic start cost", money(first["cost"], data.currency), state))
    agents = data.staffing[data.pools].to_numpy(dtype=float).sum()
    pools = f"{len(data.pools)} pool{'s' if len(data.pools) != 1 else ''}"
    cards.append(
        stat(
            "agent-intervals in the plan",
            fmt_number(agents),
            f"{pools} × {len(data.staffing)} intervals",
        )
    )
    met = int(h["feasible"].astype(bool).sum()) if len(h) else 0
    cards.append(stat("evaluations", str(len(h)), f"{met} met every target"))
    chips = []
    for ch, target in (final.targets if final is not None else {}).items():
        est = estimate(final.summary, ("channel", ch, "service_level"))  # type: ignore[union-attr]
        verdict, words = sl_words(est, target)
        chips.append(stat(ch, fmt_pct(est[0]), f"{words} over the day", f"verdict {verdict}"))
    folder = data.run_folder()
    href = link(folder / "report.html" if folder else None, base, "full report of the plan →")
    if href:
        chips.append(
            '<div class="stat linkcard"><div class="label">the plan simulated, interval by '
            f"interval</div>{href}</div>"
        )
    return (
        f'<section class="stats">{"".join(cards)}</section>'
        f'<section class="stats channels">{"".join(chips)}</section>'
    )


def _optimize_page(data: OptimizeData, base: Path | None) -> dict[str, Any]:
    prov = data.final.provenance if data.final is not None else {}
    items = [
        ("ccsim", esc(prov.get("ccsim_version", "–"))),
        ("seed", esc(prov.get("seed", "–"))),
        ("replications (plan)", esc(prov.get("replications", "–"))),
        ("evaluations", esc(len(data.history))),
        ("pools optimised", esc(", ".join(data.pools))),
        ("intervals", esc(len(data.staffing))),
    ]
    sha = str(prov.get("scenario_sha256") or "")
    wide = [("optimised scenario sha256", code(sha))] if sha else []
    banner = ""
    if data.feasible:
        description = (
            "The fewest agents per interval found such that every interval meets every "
            "target: under the search's own random numbers and criterion (a one-sided lower "
            "confidence bound of each interval's service level at least its target), "
            "removing one agent from any interval makes some interval miss. It is a local "
            "minimum of a noisy search, not a proof that no cheaper plan exists."
        )
    else:
        h = data.history
        last = str(h["misses"].iloc[-1]) if "misses" in h.columns and len(h) else ""
        description = "The search found no plan within its limits that meets every target."
        banner = (
            '<p class="banner">No plan within the limits meets every target; this is the '
            f"closest plan. Still missed: {esc(last or 'see the history')}.</p>"
        )
    figures = build_study_figures(data)
    return {
        "kicker": "ccsim optimisation report",
        "title": f"{data.name}: least-cost staffing",
        "description": description,
        "provenance": provenance_list(items, wide),
        "cards": banner + _optimize_cards(data, base),
        "sections": [
            ("plan", "The plan", [*_in(figures, "plan"), plan_table(data)]),
            ("targets", "Against the targets", _in(figures, "targets")),
            ("search", "The search", _in(figures, "search")),
        ],
        "version": str(prov.get("ccsim_version", "")),
    }


def render_study_report(data: StudyData, base: str | Path | None = None) -> str:
    """The study report as one HTML document (plotly.js embedded in the first figure).

    *base* is the folder the page is written to, for the links to the run reports of
    the compared scenarios or of the optimised plan (default the study folder).
    """
    where = Path(base) if base is not None else data.folder
    if isinstance(data, CompareData):
        page = _compare_page(data, where)
    elif isinstance(data, SweepData):
        page = _sweep_page(data, where)
    else:
        page = _optimize_page(data, where)
    return render_page(**page, kind=data.kind, css=STUDY_CSS)


def write_study_report(
    folder_or_data: str | Path | StudyData,
    path: str | Path | None = None,
    *,
    run_reports: bool = True,
) -> Path:
    """Write the HTML report of a compare, sweep or optimize folder (atomically).

    The page is self-contained (plotly.js embedded, no share button, works
    offline). A comparison shows each scenario against its targets, the KPIs side
    by side with 95% CIs and the paired differences to the first scenario, the
    significant ones marked; a sweep, the cost against service-level scatter with
    its Pareto frontier and a table of every point (failed ones with their error);
    an optimisation, the staffing plan per pool and interval, its cost, the KPIs it
    reaches with CIs, and the search history.

    Parameters
    ----------
    folder_or_data
        A folder written by ``ccsim compare``, ``ccsim sweep`` or ``ccsim optimize``
        (or :func:`ccsim.compare`, :func:`ccsim.sweep` with ``out=``), or its
        tables as loaded by :func:`ccsim.report.study_data.load_study`.
    path
        The HTML file to write (default ``report.html`` in the folder).
    run_reports
        Also write the run report (``report.html``) of each results folder inside
        the study: every compared scenario's ``scenarios/<label>/`` and the
        optimised plan's ``final/``; the study page links to them.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ccsim.report.data.ResultsFolderError
        When the folder is not a finished study; the message says what it is
        missing (and, for an interrupted study, how to finish it).

    Examples
    --------
    >>> from ccsim.report import write_study_report
    >>> write_study_report("results/sweep-voice-chat-siloed-1a2b3c4d")  # doctest: +SKIP
    PosixPath('results/sweep-voice-chat-siloed-1a2b3c4d/report.html')
    """
    if isinstance(folder_or_data, CompareData | SweepData | OptimizeData):
        data = folder_or_data
    else:
        data = load_study(folder_or_data)
    if path is None:
        if data.folder is None:
            raise ValueError("give the path of the HTML file to write")
        path = data.folder / "report.html"
    out = Path(path)
    if run_reports:
        for folder in _run_folders(data):
            write_report(folder, folder / "report.html")
    atomic_write(out, render_study_report(data, out.parent))
    return out


def _run_folders(data: StudyData) -> list[Path]:
    if isinstance(data, CompareData):
        found = [data.run_folder(label) for label in data.labels]
    elif isinstance(data, OptimizeData):
        found = [data.run_folder()]
    else:
        found = []
    return [f for f in found if f is not None]
