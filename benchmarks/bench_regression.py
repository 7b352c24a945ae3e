"""Statistics of ``ccsim check``: its false-alarm rate, and its power to see a 2-point drop.

Run:  python benchmarks/bench_regression.py [--quick] [--pairs N] [--replications N]

About 25 minutes on a busy two-core machine (``--quick``: 4 minutes, 50 pairs and
20 replications only).

On the regression scenario ``scenarios/regression/voice_day.yaml`` (one voice queue,
about 900 calls a replication):

1. **False alarms.** For N independent pairs of seeds, a baseline is run with one
   seed and checked against a run with the other, unchanged scenario: every alarm
   is false. Prints the rate with its exact (Clopper-Pearson) 95% interval, for
   the check as shipped with another seed (Welch, Holm, margins), for the paired
   test on the same (independent) pairs, and, for comparison, for per-KPI
   testing at 5% without a correction and for Holm without margins.
2. **Power.** A search finds the mean handle time that lowers the service level
   by 2 percentage points (estimated with common random numbers over many
   replications), then N baselines of the original scenario are checked against
   the slower one: with the baseline's seed (what ``ccsim check`` does in CI, the
   two runs share random numbers, and the check uses the paired t-test), with
   the same runs under Welch's test (``--test welch``), and with an independent
   seed (``--seed``: Welch). Prints how often the check fails, and how often
   ``channel.voice.service_level`` itself fails.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy import stats

from ccsim.experiments import simulate
from ccsim.experiments.baseline import kpi_values
from ccsim.experiments.margins import MarginPolicy
from ccsim.experiments.regression import compare_kpis
from ccsim.scenario import load_scenario, with_overrides
from ccsim.scenario.schema import Scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "regression" / "voice_day.yaml"
SL = ("channel", "voice", "service_level")
MARGINS = MarginPolicy()


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval of a proportion k/n."""
    a = 1 - level
    low = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - a / 2, k + 1, n - k))
    return low, high


def values(sc: Scenario, n: int, seed: int) -> dict:
    return kpi_values(simulate(sc, n, seed, jobs=1, contacts="none"))


def fails(base: dict, now: dict, *, paired: bool) -> tuple[bool, bool]:
    """(the check fails, service level fails), as ccsim check decides."""
    rows = compare_kpis(base, now, MARGINS.margin, paired=paired)
    return any(r.failed for r in rows), any(r.failed and r.key == SL for r in rows)


def statistics_only(base: dict, now: dict) -> tuple[bool, bool]:
    """(any KPI at p <= 5% without a correction, any KPI after Holm), Welch, no margins."""
    rows = compare_kpis(base, now, MARGINS.margin)
    raw = [r.p_value for r in rows if not r.deterministic and not np.isnan(r.p_value)]
    holm_only = any(r.p_adjusted <= 0.05 for r in rows if not np.isnan(r.p_adjusted))
    return any(p <= 0.05 for p in raw), holm_only


def rate(label: str, k: int, n: int) -> str:
    lo, hi = clopper_pearson(int(k), n)
    return f"  {label:46s} {k:3d}/{n} = {k / n:6.1%}   95% CI [{lo:.1%}, {hi:.1%}]"


def false_alarms(sc: Scenario, pairs: int, n: int) -> None:
    t0 = time.perf_counter()
    counts = np.zeros(4, dtype=int)
    for i in range(pairs):
        base, now = values(sc, n, 10_000 + 2 * i), values(sc, n, 10_001 + 2 * i)
        naive, holm_only = statistics_only(base, now)
        counts += [
            naive,
            holm_only,
            fails(base, now, paired=False)[0],
            fails(base, now, paired=True)[0],
        ]
    print(f"\nFalse alarms: {pairs} independent seed pairs, {n} replications each")
    labels = (
        "each KPI at 5%, no correction (Welch)",
        "Welch + Holm, no margins",
        "ccsim check --seed (Welch + Holm + margins)",
        "paired + Holm + margins on independent pairs",
    )
    for label, k in zip(labels, counts, strict=True):
        print(rate(label, int(k), pairs))
    print("  (with the baseline's own seed an unchanged scenario is bit-identical: no alarm)")
    print(f"  ({time.perf_counter() - t0:.0f}s)")


def sl_drop(sc: Scenario, factor: float, n: int, seed: int) -> float:
    slower = handle_factor(sc, factor)
    a = simulate(sc, n, seed, jobs=1, contacts="none").value(*SL)
    b = simulate(slower, n, seed, jobs=1, contacts="none").value(*SL)
    return float(np.mean(a - b))


def handle_factor(sc: Scenario, factor: float) -> Scenario:
    mean = sc.channels["voice"].handle_time.mean
    return with_overrides(sc, {"channels.voice.handle_time.mean": mean * factor})


def find_factor(sc: Scenario, target: float, n: int) -> tuple[float, float]:
    """Handle-time factor whose service-level drop is *target* (bisection, shared seeds)."""
    lo, hi = 1.0, 1.10
    for _ in range(10):
        mid = (lo + hi) / 2
        if sl_drop(sc, mid, n, seed=424242) < target:
            lo = mid
        else:
            hi = mid
    factor = (lo + hi) / 2
    return factor, sl_drop(sc, factor, 4 * n, seed=777)


def power(sc: Scenario, factor: float, trials: int, n: int) -> None:
    t0 = time.perf_counter()
    slower = handle_factor(sc, factor)
    counts = {"shared": np.zeros(2, int), "welch": np.zeros(2, int), "indep": np.zeros(2, int)}
    for i in range(trials):
        seed = 50_000 + 2 * i
        base = values(sc, n, seed)
        now = values(slower, n, seed)
        counts["shared"] += fails(base, now, paired=True)
        counts["welch"] += fails(base, now, paired=False)
        counts["indep"] += fails(base, values(slower, n, seed + 1), paired=False)
    print(f"\nPower: {trials} trials, {n} replications each")
    labels = {
        "shared": "ccsim check (baseline's seed: paired)",
        "welch": "--test welch with the baseline's seed",
        "indep": "ccsim check --seed other (Welch)",
    }
    for key, label in labels.items():
        any_kpi, sl = counts[key]
        lo, hi = clopper_pearson(int(any_kpi), trials)
        print(
            f"  {label:40s} fails {any_kpi / trials:6.1%} [{lo:.0%}, {hi:.0%}]"
            f"   on service_level {sl / trials:6.1%}"
        )
    print(f"  ({time.perf_counter() - t0:.0f}s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer pairs and trials")
    parser.add_argument("--pairs", type=int, default=None, help="seed pairs (default 100)")
    parser.add_argument("--replications", "-n", type=int, default=None)
    args = parser.parse_args()
    pairs = args.pairs or (50 if args.quick else 100)
    sc = load_scenario(SCENARIO)
    n = args.replications or sc.replications
    print(f"scenario {sc.name} ({SCENARIO.name}), {n} replications per run")
    false_alarms(sc, pairs, n)
    factor, drop = find_factor(sc, 0.02, 100 if args.quick else 200)
    print(
        f"\nhandle time x{factor:.4f} ({sc.channels['voice'].handle_time.mean * factor:.1f}s) "
        f"lowers the service level by {100 * drop:.2f} points"
    )
    for reps in sorted({n, 2 * n, 4 * n}) if not args.quick else [n]:
        power(sc, factor, pairs // 2 if reps > n else pairs, reps)


if __name__ == "__main__":
    main()
