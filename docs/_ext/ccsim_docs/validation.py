"""The validation table of the docs: simulated against exact values, computed at build time.

A quick subset of the cases of the slow validation tier
(``tests/validation/theory_cases.py``: same scenarios, same root seeds), with
:data:`REPLICATIONS` replications instead of 30. Because the seeds are the
test's, the replications here are the first ones the test runs. Each row gives
the plain 95% Student-t interval of the replication means
(:func:`ccsim.analysis.stats.estimate`); the slow tier uses 30 replications and
simultaneous 99% intervals over every case of a family.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ccsim_docs.markdown import table

ROOT = Path(__file__).resolve().parents[3]

#: Replications per case (the slow tier: 30).
REPLICATIONS = 5

#: (family, agents, load) of the cases shown: a selection of the slow tier's run table.
CASES = (
    ("erlang_c", 10, 0.70),
    ("erlang_c", 10, 0.90),
    ("erlang_a", 50, 0.90),
    ("erlang_a", 50, 1.10),
    ("priority", 10, 0.90),
    ("erlang_b", 10, 1.20),
)

LABELS = {
    "offered": "offered",
    "p_wait": "P(wait)",
    "asa": "ASA [s]",
    "service_level": "service level",
    "abandon_rate": "abandonment",
    "mean_wait": "mean wait [s]",
    "occupancy": "occupancy",
}


def _theory_cases():
    folder = str(ROOT / "tests" / "validation")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import theory_cases

    return theory_cases


def _fmt(x: float, metric: str) -> str:
    if metric == "offered":
        return f"{x:,.0f}"
    if metric in ("asa", "mean_wait"):
        return f"{x:.2f}"
    return f"{x:.4f}"


def validation_table() -> str:
    """Markdown: the quick validation table and a sentence on how long it took."""
    from ccsim.analysis.stats import estimate
    from ccsim.experiments import make_executor

    tc = _theory_cases()
    by_key = {(c.family, c.c, round(c.load, 2)): c for c in tc.ALL_CASES}
    rows = []
    inside = total = 0
    t0 = time.perf_counter()
    executor = make_executor(2)
    try:
        for key in CASES:
            case = by_key[key]
            res = tc.run_case(case, executor, REPLICATIONS)
            for exp in case.exact():
                if exp.metric not in LABELS or exp.value == 0.0:
                    continue
                est = estimate(res.value(exp.scope, exp.name, exp.metric), 0.95)
                ok = est.low <= exp.value <= est.high
                inside += ok
                total += 1
                label = LABELS[exp.metric]
                if case.family == "priority" and exp.scope == "channel":
                    label = f"{label}, {exp.name} priority"
                if case.family == "erlang_b" and exp.metric == "abandon_rate":
                    label = "lost (Erlang B)"
                rows.append(
                    (
                        case.label,
                        label,
                        _fmt(exp.value, exp.metric),
                        _fmt(est.mean, exp.metric),
                        f"[{_fmt(est.low, exp.metric)}, {_fmt(est.high, exp.metric)}]",
                        f"{100 * (est.mean - exp.value) / exp.value:+.2f}%",
                        "yes" if ok else "no",
                    )
                )
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    seconds = time.perf_counter() - t0
    out = table(
        ["case", "KPI", "exact", "simulated", "95% CI", "error", "exact in CI"],
        rows,
        "llrrlrc",
    )
    out += (
        f"\n{inside} of {total} exact values lie inside the 95% interval "
        f"({REPLICATIONS} replications per case; computed in {seconds:.0f} s while "
        "these pages were built).\n"
    )
    return out
