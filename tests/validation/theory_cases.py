"""Run configurations, exact values and confidence-interval checks: ccsim against queueing theory.

Shared by ``tests/validation/test_against_theory.py`` (the slow validation tests) and
``benchmarks/validation_table.py`` (the table for the docs and release notes). This
module does not import pytest.

Design
------
Every case is a steady-state run of one pool (mean handle time ``AHT_S = 60 s``, so
``mu = 1/min``) with arrival rate ``lambda = load * c * mu``, started empty, with a
warm-up of at least ``WARMUP_RELAXATION_TIMES`` relaxation times (the inverse spectral
gap of the birth-death chain of the number in system, :func:`relaxation_time_s`).
``replications`` independent replications give one value per KPI each; the KPI's
interval is the Student-t interval of :func:`ccsim.analysis.stats.estimate` over them.

Each family (one test function) makes ``m`` checks and each check uses the level
``1 - (1 - FAMILY_LEVEL) / m`` (Bonferroni), so that *all* checks of a family hold
together with probability at least ``FAMILY_LEVEL = 0.99`` when the simulator is
right.

Three kinds of check:

``t``
    the exact value lies in the Student-t interval of the replication values;
``poisson``
    conservation of arrivals: the number of contacts offered after the warm-up, summed
    over replications, is Poisson with mean ``lambda * duration * replications``; the
    exact mean lies in the exact (Garwood) interval of that count;
``exact``
    the replication values do not vary (every replication saw zero events of a kind).
    Then the t interval degenerates to a point. The check passes if the point is the
    exact value, or if the exact probability ``q`` of the event (a contact waits, waits
    beyond T, abandons) is so small that seeing none in the ``N`` contacts counted is
    consistent with theory: ``N * q <= 1 - level`` (by the union bound the chance of
    seeing at least one event is at most ``N * q``; starting empty only lowers it).
    Otherwise the case has too few contacts for its interval to mean anything and the
    check fails as a design error.

Seeds: one root seed, ``SEED``, fixed before any result was seen. Case ``k`` (its
position in :data:`ALL_CASES`) uses the root seed ``SEED + k`` so that cases are
independent (no common random numbers between cases), which lets the z-scores of
different cases be pooled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats
from scipy.linalg import eigh_tridiagonal

from ccsim.analysis.erlang import (
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    priority_waits,
)
from ccsim.analysis.stats import estimate
from ccsim.experiments import SimulationResult, simulate
from ccsim.scenario import Scenario, scenario_from_dict

__all__ = [
    "AHT_S",
    "ALL_CASES",
    "ERLANG_A",
    "ERLANG_B",
    "ERLANG_C",
    "FAMILY_LEVEL",
    "PATIENCE_S",
    "PRIORITY",
    "SEED",
    "WARMUP_RELAXATION_TIMES",
    "Case",
    "Check",
    "checks_frame",
    "conservation_errors",
    "evaluate",
    "family_size",
    "format_checks",
    "relaxation_time_s",
    "run_case",
    "with_replications",
]

SEED = 20261122
"""Root seed of the validation runs (case ``k`` uses ``SEED + k``)."""

FAMILY_LEVEL = 0.99
"""Simultaneous confidence level of all checks of one family (Bonferroni)."""

AHT_S = 60.0
"""Mean handle time [s] (exponential): ``mu = 1/min``."""

PATIENCE_S = 120.0
"""Mean patience [s] of the Erlang A family (exponential): ``theta = mu / 2``."""

PRIORITY_SHARES = (0.5, 0.5)
"""Share of the arrivals of the high- and low-priority class."""

PRIORITY_WITHIN_S = 20.0
"""Service-level threshold of the priority family (its service level is not checked)."""

WARMUP_RELAXATION_TIMES = 10.0
"""Every warm-up lasts at least this many relaxation times."""


# --------------------------------------------------------------------------- run table

# Each row: agents c, load lambda/(c mu), warm-up [h], duration after warm-up [h],
# replications. Warm-ups are >= 10 relaxation times (checked by the tests); durations
# were chosen from a pilot run (another seed) for ASA half-widths of about 5-10 %
# where c is small; see the module docstring of the test for the achieved values.
_ERLANG_C_RUNS: tuple[tuple[int, float, float, float, int], ...] = (
    # c    load  warm-up  duration  R
    (1, 0.50, 2.0, 400.0, 30),
    (1, 0.70, 7.0, 500.0, 30),
    (1, 0.90, 64.0, 1200.0, 30),
    (1, 0.95, 260.0, 2000.0, 30),
    (10, 0.50, 0.5, 150.0, 30),
    (10, 0.70, 1.0, 120.0, 30),
    (10, 0.90, 6.5, 120.0, 30),
    (10, 0.95, 26.0, 160.0, 30),
    (100, 0.50, 0.5, 1.0, 30),
    (100, 0.70, 0.5, 48.0, 30),
    (100, 0.90, 1.0, 12.0, 30),
    (100, 0.95, 3.0, 12.0, 30),
    (500, 0.50, 0.25, 0.25, 30),
    (500, 0.70, 0.25, 0.25, 30),
    (500, 0.90, 0.25, 6.0, 30),
    (500, 0.95, 0.6, 2.5, 30),
)

_ERLANG_A_RUNS: tuple[tuple[int, float, float, float, int], ...] = (
    # c    load  warm-up  duration  R          (mean patience 120 s)
    (5, 0.90, 0.5, 40.0, 30),
    (5, 1.00, 0.5, 40.0, 30),
    (5, 1.10, 0.5, 40.0, 30),
    (50, 0.90, 0.5, 12.0, 30),
    (50, 1.00, 0.5, 12.0, 30),
    (50, 1.10, 0.5, 12.0, 30),
    (200, 0.90, 0.5, 4.0, 30),
    (200, 1.00, 0.5, 4.0, 30),
    (200, 1.10, 0.5, 4.0, 30),
)

_PRIORITY_RUNS: tuple[tuple[int, float, float, float, int], ...] = (
    # c    load  warm-up  duration  R          (two classes, half the arrivals each)
    (1, 0.80, 15.0, 1000.0, 30),
    (10, 0.90, 6.5, 100.0, 30),
)

_ERLANG_B_RUNS: tuple[tuple[int, float, float | None, float, float, int], ...] = (
    # c    load  handle cv  warm-up  duration  R    (zero patience: blocked calls cleared)
    (1, 0.50, None, 1.0, 500.0, 30),
    (1, 1.00, 2.0, 1.0, 500.0, 30),
    (10, 0.80, None, 1.0, 60.0, 30),
    (10, 1.20, 2.0, 1.0, 60.0, 30),
    (100, 0.90, None, 1.0, 8.0, 30),
    (100, 1.10, 2.0, 1.0, 6.0, 30),
)


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    """One steady-state configuration compared with its exact values."""

    family: str  # "erlang_c" | "erlang_a" | "priority" | "erlang_b"
    c: int
    load: float  # lambda / (c mu), all classes together
    warmup_h: float
    duration_h: float
    replications: int
    seed: int = SEED
    patience_s: float | None = None
    shares: tuple[float, ...] = (1.0,)
    handle_cv: float | None = None  # None: exponential; else lognormal with this cv

    @property
    def label(self) -> str:
        tag = {
            "erlang_c": "M/M/c",
            "erlang_a": "M/M/c+M",
            "priority": "priority",
            "erlang_b": "M/M/c/c" if self.handle_cv is None else f"M/G/c/c cv={self.handle_cv:g}",
        }[self.family]
        return f"{tag} c={self.c} load={self.load:.2f}"

    @property
    def id(self) -> str:
        """A short test id, e.g. ``erlang_c-c10-load0.90``."""
        cv = "" if self.handle_cv is None else f"-cv{self.handle_cv:g}"
        return f"{self.family}-c{self.c}-load{self.load:.2f}{cv}"

    @property
    def channels(self) -> tuple[str, ...]:
        return ("high", "low") if len(self.shares) == 2 else ("voice",)

    @property
    def rate_per_hour(self) -> float:
        """Total arrival rate [contacts/h]."""
        return self.load * self.c * 3600.0 / AHT_S

    @property
    def rates_per_hour(self) -> tuple[float, ...]:
        return tuple(self.rate_per_hour * s for s in self.shares)

    @property
    def within_s(self) -> float:
        """Service-level threshold T [s]: the mean wait of contacts that wait.

        ``AHT / (c (1 - load))`` for Erlang C, ``mean_wait / p_wait`` for Erlang A, so the
        service level is far from 0 and 1 whenever waiting is not rare.
        """
        if self.family == "erlang_c":
            return round(AHT_S / (self.c * (1.0 - self.load)), 2)
        if self.family == "erlang_a":
            m = erlang_a_metrics(self.rate_per_hour, AHT_S, self.c, self.patience_s, 0.0)
            return round(float(m.mean_wait) / float(m.p_wait), 2)
        return PRIORITY_WITHIN_S  # the priority and loss families do not check it

    @property
    def relaxation_s(self) -> float:
        capacity = self.c if self.family == "erlang_b" else None
        return relaxation_time_s(self.c, self.load, self.patience_s, capacity)

    @property
    def expected_contacts(self) -> float:
        """Expected contacts simulated, warm-up included, over all replications."""
        hours = self.warmup_h + self.duration_h
        return self.rate_per_hour * hours * self.replications

    def scenario(self) -> Scenario:
        warmup, duration = self.warmup_h * 3600.0, self.duration_h * 3600.0
        channels = {}
        for name, rate in zip(self.channels, self.rates_per_hour, strict=True):
            handle: dict[str, object] = {"dist": "exponential", "mean": AHT_S}
            if self.handle_cv is not None:
                handle = {"dist": "lognormal", "mean": AHT_S, "cv": self.handle_cv}
            channel: dict[str, object] = {
                "arrivals": {"rate": rate},
                "handle_time": handle,
                "service_level": {"within": self.within_s},
            }
            if self.patience_s == 0.0:  # nobody waits: blocked calls cleared
                channel["patience"] = {"dist": "deterministic", "value": 0.0}
            elif self.patience_s is not None:
                channel["patience"] = {"dist": "exponential", "mean": self.patience_s}
            channels[name] = channel
        skills: object = {"high": 1, "low": 2} if len(self.shares) == 2 else ["voice"]
        return scenario_from_dict(
            {
                "name": f"validation {self.label}",
                "horizon": {
                    "duration": duration,
                    "warmup": warmup,
                    "interval": warmup + duration,  # one reporting interval: less overhead
                },
                "channels": channels,
                "pools": {"p": {"skills": skills, "agents": self.c}},
            }
        )

    def exact(self) -> list[Expected]:
        """The exact value of every KPI this case checks."""
        lam, c, within = self.rate_per_hour, self.c, self.within_s
        count = self.duration_h * np.asarray(self.rates_per_hour)  # offered per replication
        out: list[Expected] = []
        if self.family == "erlang_c":
            m = erlang_c_metrics(lam, AHT_S, c, within)
            pw = float(m.p_wait)
            out += [
                Expected("voice", "p_wait", pw, pw),
                Expected("voice", "asa", float(m.asa), pw),
                Expected("voice", "service_level", float(m.service_level), 1 - m.service_level),
                Expected("voice", "abandon_rate", 0.0, 0.0),
                Expected("p", "occupancy", float(m.occupancy), scope="pool"),
                Expected("voice", "offered", float(count[0]), kind="poisson"),
            ]
        elif self.family == "erlang_a":
            m = erlang_a_metrics(lam, AHT_S, c, self.patience_s, within)
            pw = float(m.p_wait)
            out += [
                Expected("voice", "p_wait", pw, pw),
                Expected("voice", "asa", float(m.asa), pw),
                Expected("voice", "service_level", float(m.service_level), 1 - m.service_level),
                Expected("voice", "abandon_rate", float(m.p_abandon), float(m.p_abandon)),
                Expected("voice", "mean_wait", float(m.mean_wait), pw),
                Expected("p", "occupancy", float(m.occupancy), scope="pool"),
                Expected("voice", "offered", float(count[0]), kind="poisson"),
            ]
        elif self.family == "erlang_b":
            a = lam * AHT_S / 3600.0
            blocked = float(erlang_b(c, a))
            out += [
                Expected("voice", "abandon_rate", blocked, blocked),
                Expected("voice", "p_wait", 0.0, 0.0),
                Expected("p", "occupancy", a * (1.0 - blocked) / c, scope="pool"),
                Expected("voice", "offered", float(count[0]), kind="poisson"),
            ]
        else:
            waits = priority_waits(list(self.rates_per_hour), AHT_S, c)
            pw = float(erlang_c(c, lam * AHT_S / 3600.0))
            for k, name in enumerate(self.channels):
                out += [
                    Expected(name, "p_wait", pw, pw),
                    Expected(name, "asa", float(waits[k]), pw),
                    Expected(name, "offered", float(count[k]), kind="poisson"),
                ]
            out.append(Expected("p", "occupancy", self.load, scope="pool"))
        return out


@dataclass(frozen=True)
class Expected:
    """An exact KPI value and how to check it."""

    name: str  # channel or pool
    metric: str
    value: float
    event_probability: float | None = None  # see the "exact" check in the module docstring
    scope: str = "channel"
    kind: str = "t"  # "t" | "poisson"


def _table(
    family: str, rows: Sequence[tuple[int, float, float, float, int]], first: int
) -> tuple[Case, ...]:
    patience = PATIENCE_S if family == "erlang_a" else None
    shares = PRIORITY_SHARES if family == "priority" else (1.0,)
    return tuple(
        Case(family, c, load, warm, dur, reps, SEED + first + k, patience, shares)
        for k, (c, load, warm, dur, reps) in enumerate(rows)
    )


ERLANG_C = _table("erlang_c", _ERLANG_C_RUNS, 0)
ERLANG_A = _table("erlang_a", _ERLANG_A_RUNS, len(ERLANG_C))
PRIORITY = _table("priority", _PRIORITY_RUNS, len(ERLANG_C) + len(ERLANG_A))
ERLANG_B = tuple(
    Case(
        "erlang_b",
        c,
        load,
        warm,
        dur,
        reps,
        SEED + len(ERLANG_C + ERLANG_A + PRIORITY) + k,
        patience_s=0.0,
        handle_cv=cv,
    )
    for k, (c, load, cv, warm, dur, reps) in enumerate(_ERLANG_B_RUNS)
)
ALL_CASES = ERLANG_C + ERLANG_A + PRIORITY + ERLANG_B


def family_size(cases: Iterable[Case]) -> int:
    """m: the number of checks of a family (the Bonferroni divisor)."""
    return sum(len(case.exact()) for case in cases)


# --------------------------------------------------------------------------- theory


def relaxation_time_s(
    c: int, load: float, patience_s: float | None = None, capacity: int | None = None
) -> float:
    """Inverse spectral gap [s] of the birth-death chain of the number in system.

    Birth rate ``lambda``, death rate ``min(n, c) mu + max(n - c, 0) theta``, truncated
    far in the tail, or at *capacity* contacts in the system (the loss system M/M/c/c
    has ``capacity = c``). For M/M/1 this is ``1 / (mu (1 - sqrt(rho))**2)``. The
    priority family uses the M/M/c chain of all classes together; the loss family with
    lognormal handle times uses the exponential chain as its yardstick.
    """
    mu = 1.0 / AHT_S
    theta = 0.0 if not patience_s else 1.0 / patience_s
    lam = load * c * mu
    n = np.arange((c + 4000 if capacity is None else capacity) + 1, dtype=float)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0.0) * theta
    birth = np.full(n.size, lam)
    birth[-1] = 0.0
    off = -np.sqrt(birth[:-1] * death[1:])
    gaps = eigh_tridiagonal(birth + death, off, eigvals_only=True, select="i", select_range=(0, 1))
    return float(1.0 / gaps[1])


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Check:
    """One comparison of an exact value with the simulator's interval."""

    case: str
    name: str
    metric: str
    kind: str  # "t", "poisson" or "exact"
    exact: float
    mean: float
    low: float
    high: float
    level: float
    replications: int
    z: float  # (mean - exact) / standard error; nan when the values do not vary
    ok: bool
    note: str = field(default="")
    skew: float = math.nan  # sample skewness of the replication values (normality diagnostic)

    @property
    def rel_halfwidth(self) -> float:
        if self.exact == 0.0 or self.kind == "exact":
            return math.nan
        return (self.high - self.low) / 2.0 / abs(self.exact)

    @property
    def rel_error(self) -> float:
        if self.exact == 0.0:
            return math.nan
        return (self.mean - self.exact) / abs(self.exact)


def run_case(
    case: Case, executor: Executor | None = None, replications: int | None = None
) -> SimulationResult:
    """Simulate *case* (optionally with fewer replications) without keeping contacts."""
    n = case.replications if replications is None else replications
    return simulate(case.scenario(), n, case.seed, executor=executor, contacts="none")


def _garwood(count: float, level: float) -> tuple[float, float]:
    """Exact two-sided interval for the mean of a Poisson variable observed as *count*."""
    a = 1.0 - level
    low = 0.0 if count == 0 else stats.chi2.ppf(a / 2.0, 2.0 * count) / 2.0
    high = stats.chi2.ppf(1.0 - a / 2.0, 2.0 * count + 2.0) / 2.0
    return float(low), float(high)


def evaluate(case: Case, res: SimulationResult, m: int) -> list[Check]:
    """Check every exact value of *case* against *res* at level ``1 - (1 - 0.99) / m``."""
    level = 1.0 - (1.0 - FAMILY_LEVEL) / m
    checks = []
    for exp in case.exact():
        values = res.value(exp.scope, exp.name, exp.metric)
        r = len(values)
        if exp.kind == "poisson":
            total = float(values.sum())
            low, high = _garwood(total, level)
            expected_total = exp.value * r
            checks.append(
                Check(
                    case=case.label,
                    name=exp.name,
                    metric=exp.metric,
                    kind="poisson",
                    exact=exp.value,
                    mean=total / r,
                    low=low / r,
                    high=high / r,
                    level=level,
                    replications=r,
                    z=(total - expected_total) / math.sqrt(expected_total),
                    ok=low <= expected_total <= high,
                )
            )
            continue
        est = estimate(values, level)
        if est.n == r and est.sd > 0.0:
            checks.append(
                Check(
                    case=case.label,
                    name=exp.name,
                    metric=exp.metric,
                    kind="t",
                    exact=exp.value,
                    mean=est.mean,
                    low=est.low,
                    high=est.high,
                    level=level,
                    replications=r,
                    z=(est.mean - exp.value) / (est.sd / math.sqrt(est.n)),
                    ok=est.low <= exp.value <= est.high,
                    skew=float(stats.skew(values, bias=False)),
                )
            )
            continue
        checks.append(_degenerate(case, res, exp, values, level))
    return checks


def _degenerate(
    case: Case, res: SimulationResult, exp: Expected, values: np.ndarray, level: float
) -> Check:
    """The check when the replication values do not vary (or are undefined)."""
    r = len(values)
    point = float(values[0]) if len(values) else math.nan
    undefined = math.isnan(point) or not bool(np.all(values == point))
    counted = float(res.value("channel", exp.name, "answered").sum())
    counted += float(res.value("channel", exp.name, "abandoned").sum())
    q = None if exp.event_probability is None else max(float(exp.event_probability), 0.0)
    if undefined:
        ok, note = False, "KPI undefined in some replication: too few contacts"
    elif point == exp.value:
        ok, note = True, "no variation; equals the exact value"
    elif q is None:
        ok, note = False, "no variation but differs from the exact value"
    else:
        ok = counted * q <= 1.0 - level
        note = f"no events in {counted:.0f} contacts; exact N*q = {counted * q:.2g}"
        if not ok:
            note += " > 1 - level: too few contacts for this check (design error)"
    return Check(
        case=case.label,
        name=exp.name,
        metric=exp.metric,
        kind="exact",
        exact=exp.value,
        mean=float(np.nanmean(values)) if undefined else point,
        low=math.nan if undefined else point,
        high=math.nan if undefined else point,
        level=level,
        replications=r,
        z=math.nan,
        ok=ok,
        note=note,
    )


def conservation_errors(case: Case, res: SimulationResult) -> list[str]:
    """Per replication, every contact offered is answered, abandoned or still in the system."""
    errors = []
    for name in case.channels:
        offered = res.value("channel", name, "offered")
        parts = sum(res.value("channel", name, k) for k in ("answered", "abandoned", "in_system"))
        deflected = res.value("channel", name, "deflected")
        if not np.array_equal(offered, parts) or np.any(deflected != 0):
            errors.append(f"{case.label} {name}: offered != answered + abandoned + in_system")
        if case.patience_s is None and np.any(res.value("channel", name, "abandoned") != 0):
            errors.append(f"{case.label} {name}: abandonments without patience")
    return errors


# --------------------------------------------------------------------------- reporting


def checks_frame(checks: Iterable[Check]) -> pd.DataFrame:
    """One row per check: case, KPI, exact, simulated mean, CI, relative error, z."""
    rows = [
        {
            "case": ch.case,
            "kpi": f"{ch.name}.{ch.metric}",
            "kind": ch.kind,
            "exact": ch.exact,
            "mean": ch.mean,
            "ci_low": ch.low,
            "ci_high": ch.high,
            "rel_error": ch.rel_error,
            "rel_halfwidth": ch.rel_halfwidth,
            "z": ch.z,
            "skew": ch.skew,
            "level": ch.level,
            "replications": ch.replications,
            "ok": ch.ok,
            "note": ch.note,
        }
        for ch in checks
    ]
    return pd.DataFrame(rows)


def format_checks(checks: Iterable[Check]) -> str:
    """A fixed-width text table of *checks* (for assertion messages)."""
    lines = []
    for ch in checks:
        flag = "ok  " if ch.ok else "FAIL"
        lines.append(
            f"{flag} {ch.case:<28} {ch.name + '.' + ch.metric:<22} exact={ch.exact:<12.6g} "
            f"mean={ch.mean:<12.6g} CI=[{ch.low:.6g}, {ch.high:.6g}] "
            f"rel.hw={ch.rel_halfwidth:.3g} z={ch.z:+.2f} skew={ch.skew:+.2f} {ch.note}"
        )
    return "\n".join(lines)


def with_replications(cases: Iterable[Case], replications: int | None) -> tuple[Case, ...]:
    """*cases* with another number of replications (None: unchanged)."""
    if replications is None:
        return tuple(cases)
    return tuple(replace(case, replications=replications) for case in cases)
