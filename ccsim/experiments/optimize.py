"""Least-cost staffing per pool and interval that meets every channel's target.

The decision variables are the agents per interval of the day of every pool
staffed by ``agents`` (pools planned in shifts are held fixed: turning an
interval requirement into shifts is rostering, a later step). The search:

1. **Analytic start.** For each channel and interval, the Erlang A staffing
   (Erlang C without patience) for its service-level target at the interval's
   arrival rate; for chat, servers are chat slots (agents x concurrency) with the
   handle time stretched by the slowdown at full load; for deferred work, the
   workload in agents. Each channel's requirement goes to the pool where it has
   the best priority (ties: fewest skills, then cheapest), and a pool's
   requirement is the sum over its channels.
2. **Repair by simulation** (in the spirit of the iterative staffing algorithm of
   Feldman, Mandelbaum, Massey & Whitt 2008, *Management Science* 54(2)): simulate
   the plan, add one agent to every (pool, interval) whose interval misses a
   target, and repeat until every interval meets its targets.
3. **Trim.** Remove agents where there is slack, first in batches (reverting the
   intervals that then miss), then one interval at a time, until removing one
   agent from any interval makes some interval miss.

Every evaluation uses the same seed (common random numbers), so plans differ
only by their staffing, not by their luck. An interval *meets* a target when
the one-sided lower confidence bound of its service level (pooled over days,
Student-t over replications at ``confidence``) is at least the target; the
same holds for the optional abandonment (upper bound at most the maximum) and
occupancy limits. Evaluations whose decision is unclear get more replications,
up to ``max_replications``; what stays unclear counts as a miss (conservative).

The result is minimal in this sense: under the optimisation's own random
numbers and criterion, removing one agent from any interval makes some interval
miss. An independent run with another seed meets the targets up to sampling
noise; :func:`validate` checks that no interval misses significantly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, SupportsInt, cast

import numpy as np
import pandas as pd
from scipy import stats

from ccsim.analysis import erlang
from ccsim.experiments.executors import make_executor
from ccsim.experiments.result import SimulationResult
from ccsim.experiments.runner import simulate
from ccsim.scenario.loader import with_overrides
from ccsim.scenario.schema import Scenario

__all__ = ["OptimizationResult", "Targets", "initial_staffing", "optimize", "validate"]

Plan = dict[str, np.ndarray]


@dataclass(frozen=True, slots=True)
class Targets:
    """What every interval must meet, beyond each channel's own service-level target.

    Attributes
    ----------
    max_abandon
        Largest abandonment share per channel and interval (None: no limit).
    max_occupancy
        Largest occupancy per pool and interval (None: no limit).
    confidence
        One-sided confidence of the "meets" decision.
    """

    max_abandon: float | None = None
    max_occupancy: float | None = None
    confidence: float = 0.9


@dataclass(slots=True)
class Evaluation:
    """A simulated plan: which intervals miss which target, and the result."""

    plan: Plan
    result: SimulationResult
    misses: dict[str, set[int]]  # pool -> intervals where a target of its channels is missed
    unclear: int
    cost: float
    replications: int
    why: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not any(self.misses.values())


@dataclass(slots=True)
class OptimizationResult:
    """The least-cost plan found, its KPIs, and how the search went."""

    scenario: Scenario
    plan: Plan
    evaluation: Evaluation
    history: pd.DataFrame
    feasible: bool
    unmet: list[str]

    def staffing(self) -> pd.DataFrame:
        """The plan as a table: interval (clock time), then one column per optimised pool."""
        cal = self.scenario.calendar
        from ccsim.units import format_clock

        data: dict[str, Any] = {"interval": [format_clock(t) for t in cal.interval_starts()]}
        data.update({pool: agents.astype(int) for pool, agents in self.plan.items()})
        return pd.DataFrame(data)


# --- analytic start ---------------------------------------------------------------------------


def _owner(scenario: Scenario, channel: str) -> str:
    pools = scenario.pools_serving(channel)
    return min(
        pools,
        key=lambda p: (
            scenario.pools[p].skills[channel],
            len(scenario.pools[p].skills),
            scenario.pools[p].cost_per_hour,
        ),
    )


def _channel_requirement(scenario: Scenario, name: str, rates: np.ndarray) -> np.ndarray:
    ch = scenario.channels[name]
    aht = ch.handle_time.mean + (0.0 if ch.wrap_up is None else ch.wrap_up.mean)
    if ch.kind == "deferred":
        return np.ceil(rates * aht / 3600.0)
    servers_per_agent = ch.concurrency if ch.kind == "chat" else 1
    if ch.kind == "chat":
        aht *= 1.0 + ch.concurrency_slowdown * (ch.concurrency - 1)
    sl = ch.service_level
    patience = None if ch.patience is None else ch.patience.mean
    out = np.zeros(len(rates))
    for k, rate in enumerate(rates):
        if rate <= 0:
            continue
        servers = erlang.required_agents(
            rate, aht, target_sl=sl.target, within_s=sl.within, patience_s=patience
        )
        out[k] = math.ceil(int(servers) / servers_per_agent)
    return out


def initial_staffing(scenario: Scenario) -> Plan:
    """Analytic staffing per interval for every pool staffed by ``agents`` (see module doc)."""
    cal = scenario.calendar
    rates = scenario.base_rates()
    busiest = max(
        (
            max(ch.arrivals.day_factor(d) for d in range(cal.days))
            for ch in scenario.channels.values()
        ),
        default=1.0,
    )
    width = 1 if cal.steady else cal.intervals_per_day  # steady state: one constant
    plan = {name: np.zeros(width) for name, pool in scenario.pools.items() if pool.shifts is None}
    for name in scenario.channels:
        owner = _owner(scenario, name)
        if owner in plan:
            need = _channel_requirement(scenario, name, rates[name] * busiest)
            plan[owner] += need[:1] if cal.steady else need
    shrink = {p: 1.0 - scenario.pools[p].shrinkage for p in plan}
    return {p: np.ceil(a / shrink[p]).astype(np.int64) for p, a in plan.items()}


# --- evaluation ---------------------------------------------------------------------------------


def _apply(scenario: Scenario, plan: Plan) -> Scenario:
    overrides: dict[str, Any] = {}
    for pool, agents in plan.items():
        values = [int(a) for a in agents]
        overrides[f"pools.{pool}.agents"] = values[0] if scenario.calendar.steady else values
    return with_overrides(scenario, overrides)


def _bounds(per: pd.DataFrame, column: str, confidence: float) -> pd.DataFrame:
    """Mean and one-sided bounds over replications, per (channel, interval)."""
    g = per.groupby(["channel", "interval"], observed=True)[column]
    n, mean, sd = g.count(), g.mean(), g.std(ddof=1).fillna(0.0)
    t = stats.t.ppf(confidence, np.maximum(n - 1, 1))
    half = np.where(n > 1, t * sd / np.sqrt(n), np.inf)
    return pd.DataFrame({"mean": mean, "low": mean - half, "high": mean + half}).reset_index()


def _interval_checks(res: SimulationResult, scenario: Scenario, targets: Targets) -> pd.DataFrame:
    """Per (channel, interval) and target: the estimate's bounds, whether it meets, unclear.

    Service level is pooled over the days of a replication (answered within T over
    answered plus abandoned), then bounded over replications.
    """
    iv = res.intervals()
    iv = iv[~iv["warmup"]]
    if scenario.calendar.steady:  # one staffing level: judge the whole measured run
        iv = iv.assign(interval=0)
    live = [n for n, ch in scenario.channels.items() if ch.kind != "deferred"]
    iv = iv[iv["channel"].astype(str).isin(live)]
    finished = iv["answered"] + iv["abandoned"]
    iv = iv.assign(within=iv["service_level"].fillna(0) * finished, finished=finished)
    per = iv.groupby(["channel", "interval", "replication"], observed=True)[
        ["within", "finished", "abandoned"]
    ].sum()
    per = per[per["finished"] > 0].reset_index()
    per["sl"] = per["within"] / per["finished"]
    per["ab"] = per["abandoned"] / per["finished"]
    sl = _bounds(per, "sl", targets.confidence)
    sl["what"] = "service level"
    sl["target"] = [scenario.channels[str(c)].service_level.target for c in sl["channel"]]
    sl["meets"] = sl["low"] >= sl["target"]
    sl["unclear"] = (sl["low"] < sl["target"]) & (sl["high"] >= sl["target"])
    frames = [sl]
    if targets.max_abandon is not None:
        ab = _bounds(per, "ab", targets.confidence)
        ab["what"] = "abandonment"
        ab["target"] = targets.max_abandon
        ab["meets"] = ab["high"] <= ab["target"]
        ab["unclear"] = (ab["high"] > ab["target"]) & (ab["low"] <= ab["target"])
        frames.append(ab)
    out = pd.concat(frames, ignore_index=True)
    out["channel"] = out["channel"].astype(str)
    return out


def evaluate(
    scenario: Scenario,
    plan: Plan,
    targets: Targets,
    seed: int,
    replications: int,
    max_replications: int,
    executor: Executor | None,
    jobs: int | None,
) -> Evaluation:
    """Simulate *plan*; find the intervals that miss a target (more replications if unclear)."""
    sc = _apply(scenario, plan)
    n = replications
    while True:
        res = simulate(sc, n, seed, jobs=jobs, executor=executor, contacts="none")
        checks = _interval_checks(res, sc, targets)
        unclear = int(checks["unclear"].sum())
        if not unclear or n >= max_replications:
            break
        n = min(max_replications, 2 * n)
    misses: dict[str, set[int]] = {p: set() for p in plan}
    why = []
    for row in checks[~checks["meets"]].itertuples(index=False):
        channel, interval = cast(str, row.channel), cast(int, row.interval)  # see _interval_checks
        misses.setdefault(_owner(scenario, channel), set()).add(int(interval))
        why.append(f"{row.channel} {row.what} in interval {row.interval}")
    why += _deferred_misses(res, sc, plan, misses)
    why += _occupancy_misses(res, sc, plan, targets, misses)
    cost = float(res.summary().query("scope == 'total' and metric == 'cost'")["mean"].iloc[0])
    return Evaluation(plan, res, misses, unclear, cost, n, why)


def _deferred_misses(
    res: SimulationResult, sc: Scenario, plan: Plan, misses: dict[str, set[int]]
) -> list[str]:
    """A deferred channel missing its (whole-run) target: more agents where the backlog is."""
    why = []
    for name, ch in sc.channels.items():
        if ch.kind != "deferred":
            continue
        est = res.value("channel", name, "service_level")
        if np.nanmean(est) < ch.service_level.target:
            owner = _owner(sc, name)
            if owner in plan:
                iv = res.intervals()
                backlog = iv[iv["channel"] == name].groupby("interval")["queue_end"].mean()
                misses[owner].add(int(cast(SupportsInt, backlog.idxmax())))  # an interval
                why.append(f"{name} service level (whole run)")
    return why


def _occupancy_misses(
    res: SimulationResult, sc: Scenario, plan: Plan, targets: Targets, misses: dict[str, set[int]]
) -> list[str]:
    if targets.max_occupancy is None:
        return []
    pi = res.pool_intervals()
    pi = pi[~pi["warmup"]]
    occ = pi.groupby(["pool", "interval"], observed=True)["occupancy"].mean()
    why = []
    items = cast("Iterable[tuple[tuple[str, int], float]]", occ.items())  # (pool, interval)
    for (pool, k), value in items:
        if str(pool) in plan and value > targets.max_occupancy:
            misses[str(pool)].add(int(k))
            why.append(f"{pool} occupancy in interval {k}")
    return why


# --- search -------------------------------------------------------------------------------------


def _copy(plan: Plan) -> Plan:
    return {p: a.copy() for p, a in plan.items()}


def optimize(
    scenario: Scenario,
    *,
    targets: Targets | None = None,
    seed: int | None = None,
    replications: int = 10,
    max_replications: int = 40,
    max_iterations: int = 60,
    max_agents: int | None = None,
    jobs: int | None = 1,
    executor: Executor | None = None,
    on_evaluation: Callable[[Evaluation, str], None] | None = None,
) -> OptimizationResult:
    """Find the least-cost staffing per pool and interval that meets every target.

    Parameters
    ----------
    scenario
        The scenario; pools staffed by ``agents`` are optimised, shift pools kept.
    targets
        Extra limits (abandonment, occupancy) and the confidence of decisions.
    seed
        Root seed of every evaluation (default: the scenario's).
    replications, max_replications
        Replications per evaluation, and the most an unclear evaluation may use.
    max_iterations
        Most simulations of the repair phase before giving up.
    max_agents
        Most agents per interval and pool (default: 4x the analytic start + 10).
    on_evaluation
        Called with each evaluation and the phase name (``start``, ``repair``,
        ``trim`` for removals in batches, ``trim one`` for single removals) as it
        completes, e.g. to save it.

    Returns
    -------
    OptimizationResult
        The best plan found; ``feasible`` is False (with ``unmet`` saying what
        cannot be met) when no plan within the limits meets every target.
    """
    targets = targets or Targets()
    seed = scenario.seed if seed is None else seed
    plan = initial_staffing(scenario)
    if not plan:
        raise ValueError("no pool is staffed by agents: there is nothing to optimise")
    own = executor is None and jobs != 1
    if own:  # one pool of workers for every evaluation
        executor, jobs = make_executor(jobs), None
    try:
        return _search(
            scenario,
            plan,
            targets,
            seed,
            replications,
            max_replications,
            max_iterations,
            max_agents,
            jobs,
            executor,
            on_evaluation,
        )
    finally:
        if own and executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


def _search(
    scenario: Scenario,
    plan: Plan,
    targets: Targets,
    seed: int,
    replications: int,
    max_replications: int,
    max_iterations: int,
    max_agents: int | None,
    jobs: int | None,
    executor: Executor | None,
    on_evaluation: Callable[[Evaluation, str], None] | None,
) -> OptimizationResult:
    cap = max_agents or int(max(a.max() for a in plan.values()) * 4 + 10)
    plan = {p: np.minimum(a, cap) for p, a in plan.items()}
    rows: list[dict[str, Any]] = []

    def run(p: Plan, phase: str) -> Evaluation:
        ev = evaluate(scenario, p, targets, seed, replications, max_replications, executor, jobs)
        rows.append(
            {
                "step": len(rows),
                "phase": phase,
                "cost": ev.cost,
                "feasible": ev.feasible,
                "agent_intervals": int(sum(a.sum() for a in p.values())),
                "replications": ev.replications,
                "misses": "; ".join(ev.why[:5]),
            }
        )
        if on_evaluation is not None:
            on_evaluation(ev, phase)
        return ev

    current = run(plan, "start")
    for _ in range(max_iterations):
        if current.feasible:
            break
        grown = _copy(current.plan)
        stuck = True
        for pool, ks in current.misses.items():
            for k in ks:
                if grown[pool][k] < cap:
                    grown[pool][k] += 1
                    stuck = False
        if stuck:
            break
        current = run(grown, "repair")
    if current.feasible:
        current = _trim(current, run)
    history = pd.DataFrame(rows)
    return OptimizationResult(
        scenario=_apply(scenario, current.plan),
        plan=current.plan,
        evaluation=current,
        history=history,
        feasible=current.feasible,
        unmet=[] if current.feasible else current.why,
    )


def _trim(best: Evaluation, run: Callable[[Plan, str], Evaluation]) -> Evaluation:
    """Remove agents while every interval still meets its targets (batch, then one by one)."""
    while True:
        batch = _copy(best.plan)
        changed = False
        for agents in batch.values():
            for k in range(len(agents)):
                if agents[k] > 0:
                    agents[k] -= 1
                    changed = True
        if not changed:
            return best
        trial = run(batch, "trim")
        if trial.feasible:
            best = trial
            continue
        # Put back the agents of the intervals that now miss; keep the other removals.
        repaired = _copy(batch)
        for pool, ks in trial.misses.items():
            for k in ks:
                repaired[pool][k] = best.plan[pool][k]
        if all(np.array_equal(repaired[p], best.plan[p]) for p in repaired):
            break
        trial = run(repaired, "trim")
        if not trial.feasible:
            break
        best = trial
    return _trim_one_by_one(best, run)


def _trim_one_by_one(best: Evaluation, run: Callable[[Plan, str], Evaluation]) -> Evaluation:
    """Try each single removal in turn; stop when none keeps the plan feasible."""
    improved = True
    while improved:
        improved = False
        for pool in best.plan:
            for k in range(len(best.plan[pool])):
                if best.plan[pool][k] == 0:
                    continue
                trial_plan = _copy(best.plan)
                trial_plan[pool][k] -= 1
                trial = run(trial_plan, "trim one")
                if trial.feasible:
                    best, improved = trial, True
    return best


def validate(
    result: OptimizationResult,
    *,
    seed: int,
    replications: int = 20,
    jobs: int | None = 1,
    executor: Executor | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Simulate the optimised plan with another *seed*; per (channel, interval) SL and its CI.

    Column ``significant_miss`` is True where the whole two-sided CI lies below the
    channel's target.
    """
    res = simulate(
        result.scenario, replications, seed, jobs=jobs, executor=executor, contacts="none"
    )
    checks = _interval_checks(res, result.scenario, Targets(confidence=0.5 + level / 2))
    checks = checks[checks["what"] == "service level"]
    return checks.assign(significant_miss=checks["high"] < checks["target"])[
        ["channel", "interval", "mean", "low", "high", "target", "significant_miss"]
    ].reset_index(drop=True)


def plan_from_mapping(values: Mapping[str, list[int]]) -> Plan:
    """A plan from ``{pool: [agents per interval]}`` (e.g. read back from a file)."""
    return {p: np.asarray(v, dtype=np.int64) for p, v in values.items()}
