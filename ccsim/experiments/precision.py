"""Precision-driven replications: add replications until the key KPIs are estimated well enough.

A :class:`PrecisionRule` says which KPIs must reach which 95% CI half-width, and
decides after each batch of replications whether to stop or how many to run in
all. It is used by :func:`ccsim.simulate` and by every point of a comparison or
a sweep (``precision=``, ``--precision``).

* **Which KPIs.** By default every channel's ``service_level`` and
  ``abandon_rate``: the numbers a staffing decision turns on. Give others as
  ``"scope.name.metric"`` patterns (``*`` matches any name), e.g.
  ``"channel.voice.asa"`` or ``"pool.*.occupancy"``.
* **Absolute or relative.** Shares in [0, 1] (service levels, abandon rate,
  occupancy, ``p_wait``, journey shares) need an *absolute* half-width:
  ``precision=0.01`` means ±1 percentage point. Every other KPI (ASA, waits,
  costs) needs a *relative* half-width: ``0.01`` means ±1% of its mean.
* **Sequential stopping.** Start with at least :data:`MIN_REPLICATIONS` (10)
  replications, then grow the run to the number the current standard deviations
  say is needed (at most four times as many at a time), up to
  ``max_replications``. Stopping when the interval first looks narrow enough
  makes it a little too narrow on average (the half-width is itself a random
  variable), so the coverage of a sequential 95% interval is slightly below 95%;
  a minimum of 10 replications keeps that small (Law 2015, section 9.4.1,
  "obtaining a specified precision").
* **Reproducible.** Replication *r* depends only on the root seed and *r*, so a
  run that stopped after *n* replications is bit-identical to a fixed run of *n*.

References
----------
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill,
section 9.4.1 (the sequential procedure for a specified precision).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ccsim.analysis.stats import estimate

__all__ = [
    "ABSOLUTE_METRICS",
    "DEFAULT_MAX_REPLICATIONS",
    "DEFAULT_METRICS",
    "MIN_REPLICATIONS",
    "PrecisionRule",
    "PrecisionStatus",
]

#: KPIs judged by their precision unless told otherwise.
DEFAULT_METRICS: tuple[str, ...] = ("channel.*.service_level", "channel.*.abandon_rate")
#: The fewest replications a precision-driven run starts with.
MIN_REPLICATIONS = 10
#: The most replications a precision-driven run adds up to, unless told otherwise.
DEFAULT_MAX_REPLICATIONS = 200
#: Shares in [0, 1]: their precision is an absolute half-width; all others are relative.
ABSOLUTE_METRICS = frozenset(
    {
        "service_level",
        "service_level_answered",
        "abandon_rate",
        "p_wait",
        "occupancy",
        "absent_share",
        "first_contact_resolution",
        "resolved",
        "lost",
        "open",
        "switched",
    }
)
_GROWTH = 4  # a batch grows the run to at most this many times its size


@dataclass(frozen=True, slots=True)
class PrecisionStatus:
    """How precise the KPIs are after some replications.

    Attributes
    ----------
    replications
        Replications so far.
    met
        Whether every KPI reached the target.
    achieved
        Per KPI (``"scope.name.metric"``): the half-width, absolute or relative to
        the mean as the rule measures it (NaN when undefined).
    needed
        Estimated replications needed in all for the worst KPI.
    """

    replications: int
    met: bool
    achieved: dict[str, float]
    needed: int


@dataclass(frozen=True, slots=True)
class PrecisionRule:
    """Run replications until the 95% CI half-width of some KPIs is below *target*.

    Parameters
    ----------
    target
        Half-width to reach: absolute for shares (0.01 = ±1 percentage point),
        relative to the mean for other KPIs (0.01 = ±1%).
    metrics
        ``"scope.name.metric"`` patterns (``*`` wildcards); default
        :data:`DEFAULT_METRICS`.
    min_replications, max_replications
        Start with at least this many; never run more than that many.
    level
        Confidence level of the intervals.
    """

    target: float
    metrics: tuple[str, ...] = DEFAULT_METRICS
    min_replications: int = MIN_REPLICATIONS
    max_replications: int = DEFAULT_MAX_REPLICATIONS
    level: float = 0.95

    @classmethod
    def make(
        cls,
        target: float,
        metrics: Iterable[str] | None = None,
        max_replications: int | None = None,
        start: int | None = None,
    ) -> PrecisionRule:
        """A rule from user-facing arguments, checked (``ValueError`` naming the problem)."""
        if not (isinstance(target, int | float) and math.isfinite(target) and target > 0):
            raise ValueError(f"precision must be a positive number, got {target!r}")
        pats = tuple(metrics) if metrics is not None else DEFAULT_METRICS
        for pat in pats:
            if len(pat.split(".")) != 3:
                raise ValueError(
                    f"precision metric {pat!r} must be 'scope.name.metric', "
                    "e.g. 'channel.voice.service_level' or 'channel.*.asa'"
                )
        lo = max(MIN_REPLICATIONS, start or 0)
        hi = DEFAULT_MAX_REPLICATIONS if max_replications is None else max_replications
        if hi < lo:
            raise ValueError(
                f"max_replications ({hi}) must be at least the starting replications ({lo})"
            )
        return cls(float(target), pats, lo, max(hi, lo))

    def tolerance(self, metric: str, mean: float) -> float:
        """The half-width allowed for *metric* with this *mean*."""
        return self.target if metric in ABSOLUTE_METRICS else self.target * abs(mean)

    def selected(self, keys: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        """The KPI keys ``(scope, name, metric)`` the rule judges."""
        out = []
        for key in keys:
            text = ".".join(key)
            if any(fnmatch.fnmatchcase(text, pat) for pat in self.metrics):
                out.append(key)
        return out

    def status(self, kpis: pd.DataFrame) -> PrecisionStatus:
        """Judge per-replication KPIs (``replication, scope, name, metric, value``).

        Raises
        ------
        ValueError
            When no KPI matches the rule's patterns.
        """
        n = int(kpis["replication"].nunique())
        groups: dict[tuple[str, str, str], pd.DataFrame] = {
            (str(s), str(nm), str(m)): g
            for (s, nm, m), g in kpis.groupby(["scope", "name", "metric"], sort=False)
        }
        keys = self.selected(groups)
        if not keys:
            known = sorted({".".join(k) for k in groups})
            raise ValueError(
                f"no KPI matches the precision metrics {list(self.metrics)}; "
                f"KPIs are e.g. {', '.join(known[:8])}, ..."
            )
        achieved: dict[str, float] = {}
        needed = n
        met = True
        for key in keys:
            est = estimate(groups[key]["value"].to_numpy(), self.level)
            name = ".".join(key)
            if est.n == 0:  # undefined in every replication (e.g. a channel without contacts)
                achieved[name] = math.nan
                continue
            scale = 1.0 if key[2] in ABSOLUTE_METRICS else abs(est.mean)
            tol = self.tolerance(key[2], est.mean)
            if est.n < 2 or not math.isfinite(est.halfwidth):
                achieved[name] = math.nan
                met = False
                needed = max(needed, 2 * n)
                continue
            achieved[name] = est.halfwidth / scale if scale > 0 else 0.0
            if est.halfwidth > tol:
                met = False
                ratio = est.halfwidth / tol if tol > 0 else math.inf
                needed = max(needed, math.ceil(n * ratio**2) if math.isfinite(ratio) else 2 * n)
        return PrecisionStatus(n, met, achieved, needed)

    def next_total(self, status: PrecisionStatus, step: int = 1) -> int | None:
        """Replications to have in all after the next batch, or None to stop.

        Stops when the target is met or ``max_replications`` is reached. Otherwise
        grows to the estimated need plus 10% (at least *step* more, at most four
        times as many as now, at most ``max_replications``).
        """
        n = status.replications
        if status.met or n >= self.max_replications:
            return None
        want = max(n + max(1, step), math.ceil(1.1 * status.needed))
        return min(self.max_replications, want, _GROWTH * n)

    def describe(self, status: PrecisionStatus) -> dict[str, Any]:
        """What a result's provenance records about the stopping."""
        return {
            "target": self.target,
            "metrics": list(self.metrics),
            "min_replications": self.min_replications,
            "max_replications": self.max_replications,
            "replications": status.replications,
            "met": status.met,
            "achieved": status.achieved,
        }
