"""Staffing: how many agents of each pool are on duty, interval by interval.

The plan (:func:`staffing_plan`) turns the scenario's scheduled agents into
agents available for contacts per interval; the process
(:func:`staffing_process`) applies it at interval boundaries. Agents who go off
duty at a boundary finish the contact in hand first. At closing time no new
contacts arrive; agents finish the contacts still waiting (the queue drains,
or customers abandon) and then go home.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from ccsim.model.dispatch import Dispatcher
from ccsim.model.entities import Agent, PoolState, Slot
from ccsim.profiles import Calendar
from ccsim.rng import RandomStreams
from ccsim.scenario.schema import Scenario

__all__ = ["close_pool", "set_target", "staffing_plan", "staffing_process"]


def staffing_plan(
    scenario: Scenario, calendar: Calendar, streams: RandomStreams
) -> tuple[np.ndarray, np.ndarray]:
    """Scheduled and available agents per pool and interval.

    Returns
    -------
    scheduled, available
        Integer arrays of shape (pools, intervals). ``available`` is
        ``scheduled * (1 - shrinkage)`` rounded stochastically per interval
        (floor, plus one with probability equal to the fraction; stream
        ``shrinkage/<pool>``), so its mean equals the planned available time.
    """
    n = calendar.n_intervals
    scheduled = np.zeros((len(scenario.pools), n), dtype=np.int64)
    available = np.zeros_like(scheduled)
    for p, (name, pool) in enumerate(scenario.pools.items()):
        per_day = pool.agents_per_interval(calendar)
        scheduled[p] = np.tile(per_day, calendar.days)
        if pool.shrinkage > 0:
            expected = scheduled[p] * (1.0 - pool.shrinkage)
            base = np.floor(expected)
            extra = streams.get(f"shrinkage/{name}").random(n) < (expected - base)
            available[p] = base.astype(np.int64) + extra
        else:
            available[p] = scheduled[p]
    return scheduled, available


def _new_agent(dispatcher: Dispatcher, pool: PoolState) -> Agent:
    agent = Agent(pool, len(pool.agents))
    agent.free = [Slot(dispatcher.env, agent, dispatcher.done) for _ in range(pool.capacity)]
    pool.agents.append(agent)
    return agent


def set_target(dispatcher: Dispatcher, pool: PoolState, n: int) -> None:
    """Bring the number of active agents of *pool* to *n*.

    Extra agents come on duty at once and take waiting work. Surplus agents leave:
    idle ones now (the most recently idle first), busy ones after the contact in
    hand.
    """
    pool.closing = False
    active = pool.on_duty - pool.n_leaving - pool.to_release
    diff = n - active
    if diff > 0:
        cancel = min(diff, pool.to_release)
        pool.to_release -= cancel
        for _ in range(diff - cancel):
            agent = pool.off.pop() if pool.off else _new_agent(dispatcher, pool)
            dispatcher.go_on(agent)
    elif diff < 0:
        need = -diff
        for load in range(pool.capacity):
            dq = pool.available[load]
            while need and dq:
                stamp, agent = dq.pop()
                if agent.stamp != stamp:
                    continue
                need -= 1
                if load == 0:
                    dispatcher.go_off(agent)
                else:
                    agent.stamp += 1
                    agent.leaving = True
                    pool.n_leaving += 1
        pool.to_release += need


def close_pool(dispatcher: Dispatcher, pool: PoolState) -> None:
    """Closing time: idle agents go home; busy ones drain the queue, then go home."""
    pool.to_release = 0
    pool.closing = True
    idle = pool.available[0]
    while idle:
        stamp, agent = idle.pop()
        if agent.stamp == stamp:
            dispatcher.go_off(agent)
    for dq in pool.available[1:]:
        while dq:
            stamp, agent = dq.pop()
            if agent.stamp == stamp:
                agent.stamp += 1


def staffing_process(
    env: simpy.Environment,
    dispatcher: Dispatcher,
    calendar: Calendar,
    available: np.ndarray,
) -> Generator[simpy.Event, None, None]:
    """Apply the staffing plan at every interval boundary and close each day."""
    k_per_day = calendar.intervals_per_day
    starts = calendar.interval_starts()
    changes = np.ones_like(available, dtype=bool)
    changes[:, 1:] = available[:, 1:] != available[:, :-1]
    for day in range(calendar.days):
        for k in range(k_per_day):
            t = calendar.day_start(day) + starts[k]
            if t > env.now:
                yield env.timeout(t - env.now)
            g = day * k_per_day + k
            for pool in dispatcher.pools:
                if k == 0 or changes[pool.code, g]:
                    set_target(dispatcher, pool, int(available[pool.code, g]))
        if calendar.steady:
            return
        close = calendar.day_start(day) + calendar.close
        yield env.timeout(close - env.now)
        for pool in dispatcher.pools:
            close_pool(dispatcher, pool)
