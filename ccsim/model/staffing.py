"""Staffing in the engine: agents coming on and off duty, breaks, closing time.

The realised plan (:mod:`ccsim.model.plan`) lists, per pool, the changes of the
number of agents available for contacts and the breaks that fall due. The
staffing process applies them at their times:

* more agents: they come on duty and take waiting work at once;
* fewer agents: idle ones leave now (the most recently idle first), agents on a
  break do not come back, busy ones leave when the contact in hand is finished;
* a break falls due: an idle agent starts it now, else the next agent to finish
  a contact starts it; the agent comes back after the break's duration. A break
  never interrupts a contact.
* closing time: no new contacts; agents finish the contacts still waiting (the
  queue drains or customers abandon) and go home; breaks not yet started lapse.
"""

from __future__ import annotations

from collections.abc import Generator
from heapq import merge

import simpy

from ccsim.model.dispatch import Dispatcher
from ccsim.model.entities import Agent, PoolState, Slot
from ccsim.model.plan import PoolPlan
from ccsim.profiles import Calendar

__all__ = ["close_pool", "new_agent", "set_target", "staffing_process"]


def new_agent(dispatcher: Dispatcher, pool: PoolState) -> Agent:
    """A fresh agent of *pool* with one slot per contact it can hold."""
    agent = Agent(pool, len(pool.agents))
    agent.free = [Slot(dispatcher.env, agent, dispatcher.done) for _ in range(pool.capacity)]
    pool.agents.append(agent)
    return agent


def set_target(dispatcher: Dispatcher, pool: PoolState, n: int) -> None:
    """Bring the number of scheduled agents of *pool* (on duty or on a break) to *n*."""
    pool.closing = False
    active = pool.on_duty + pool.n_on_break - pool.n_leaving - pool.to_release - pool.cancel_returns
    diff = n - active
    if diff > 0:
        for counter in ("cancel_returns", "to_release"):
            undo = min(diff, getattr(pool, counter))
            setattr(pool, counter, getattr(pool, counter) - undo)
            diff -= undo
        for _ in range(diff):
            agent = pool.off.pop() if pool.off else new_agent(dispatcher, pool)
            dispatcher.go_on(agent)
    elif diff < 0:
        _reduce(dispatcher, pool, -diff)


def _reduce(dispatcher: Dispatcher, pool: PoolState, need: int) -> None:
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
    skip = min(need, pool.n_on_break - pool.cancel_returns)
    pool.cancel_returns += skip
    pool.to_release += need - skip


def close_pool(dispatcher: Dispatcher, pool: PoolState) -> None:
    """Closing time: idle agents go home; busy ones drain the queue, then go home."""
    pool.to_release = 0
    pool.closing = True
    pool.breaks.clear()
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


def _changes(plans: list[PoolPlan]) -> Generator[tuple[float, int, int], None, None]:
    streams = [[(t, p, n) for t, n in plan.changes] for p, plan in enumerate(plans)]
    yield from merge(*streams)


def staffing_process(
    env: simpy.Environment, dispatcher: Dispatcher, calendar: Calendar, plans: list[PoolPlan]
) -> Generator[simpy.Event, None, None]:
    """Apply every pool's staffing changes, and close each day."""
    closes = [calendar.day_start(d) + calendar.close for d in range(calendar.days)]
    day = 0
    for t, p, n in _changes(plans):
        while not calendar.steady and day < len(closes) and closes[day] <= t:
            yield from _close_at(env, dispatcher, closes[day])
            day += 1
        if t > env.now:
            yield env.timeout(t - env.now)
        set_target(dispatcher, dispatcher.pools[p], n)
    while not calendar.steady and day < len(closes):
        yield from _close_at(env, dispatcher, closes[day])
        day += 1


def _close_at(
    env: simpy.Environment, dispatcher: Dispatcher, t: float
) -> Generator[simpy.Event, None, None]:
    if t > env.now:
        yield env.timeout(t - env.now)
    for pool in dispatcher.pools:
        close_pool(dispatcher, pool)


def break_process(
    env: simpy.Environment, dispatcher: Dispatcher, plans: list[PoolPlan]
) -> Generator[simpy.Event, None, None]:
    """Make breaks fall due at their times."""
    due = merge(*[[(t, p, d) for t, d in plan.breaks] for p, plan in enumerate(plans)])
    for t, p, duration in due:
        if t > env.now:
            yield env.timeout(t - env.now)
        dispatcher.break_due(dispatcher.pools[p], duration)


def occupancy_process(
    env: simpy.Environment, dispatcher: Dispatcher, calendar: Calendar
) -> Generator[simpy.Event, None, None]:
    """At every interval boundary, re-check the pools that have an occupancy limit."""
    pools = [pool for pool in dispatcher.pools if pool.track]
    for day in range(calendar.days):
        for start in calendar.interval_starts()[1:]:
            t = calendar.day_start(day) + float(start)
            if t > env.now:
                yield env.timeout(t - env.now)
            for pool in pools:
                dispatcher.check_occupancy(pool)
