"""The dispatcher: what happens when a contact arrives, an agent frees up, a customer gives up.

This is the hot path of the simulator. Every contact passes through
:meth:`Dispatcher.arrive` once and, if answered, through :meth:`Dispatcher.done`
once. There is no SimPy process per contact and no scan over all agents:
routing looks at the pools that have the channel's skill (``queue.select``,
specialised at build time), and an agent that frees up looks at the queues of
its own skills, best priority first. Abandonment is resolved lazily where
nothing reacts to it (see :class:`~ccsim.model.entities.ChannelQueue`); where
something does, a patience timer fires on time.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

import simpy

from ccsim.model.clock import NORMAL, Clock
from ccsim.model.contacts import ContactTable
from ccsim.model.entities import Agent, ChannelQueue, PoolState, Slot, TimedEvent
from ccsim.records import ABANDONED, ANSWERED, IN_SYSTEM

__all__ = ["Dispatcher", "PatienceTimer"]

INF = float("inf")


class PatienceTimer(simpy.Event):
    """Fires when a waiting customer's patience runs out (ignored if answered by then)."""

    _ok = True
    _value = None

    def __init__(self, callbacks: list[Callable[[Any], None]], contact: int) -> None:
        self.callbacks = callbacks
        self.contact = contact


class Dispatcher:
    """Routes contacts to agents and records what happens to them.

    Parameters
    ----------
    env
        The SimPy environment.
    contacts
        The run's contact columns.
    queues
        One queue per channel, in channel-code order.
    pools
        Pools in pool-code order.
    """

    def __init__(
        self,
        env: Clock,
        contacts: ContactTable,
        queues: list[ChannelQueue],
        pools: list[PoolState],
    ) -> None:
        self.env = env
        self.contacts = contacts
        self.queues = queues
        self.pools = pools
        self._schedule = env.schedule
        self._heap = env.heap
        self._eid = env.eid
        self._push = env.push
        self._abandon_callbacks: list[Callable[[Any], None]] = [self.abandon]
        self._answer = contacts.answer
        self._handle = contacts.handle
        self._outcome = contacts.outcome
        self._pool = contacts.pool
        self._agent = contacts.agent
        self._base = contacts.base_handle
        self._wrap = contacts.wrap
        self.journeys: Any = None  # the JourneyEngine, when the scenario has journeys
        self.staff_time: array[float] = array("d")
        self.staff_pool: array[int] = array("h")
        self.staff_delta: array[int] = array("b")
        self.breaks: dict[str, array[Any]] = {
            "pool": array("h"),
            "agent": array("i"),
            "due": array("d"),
            "start": array("d"),
            "end": array("d"),
        }
        self._return_cbs: list[Callable[[Any], None]] = [self._break_over]
        self._rested_cbs: list[Callable[[Any], None]] = [self._rested]

    # --- contacts -----------------------------------------------------------------------

    def arrive(self, cid: int, queue: ChannelQueue, now: float) -> None:
        """Contact *cid* joins *queue* at *now*: an available agent takes it, or it waits."""
        agent = queue.select()
        if agent is not None:
            self.start(agent, cid, queue, now)
            return
        queue.dq.append(cid)
        queue.waiting += 1
        if not queue.lazy:
            patience = self.contacts.patience[cid]
            if patience < INF:
                self._schedule(PatienceTimer(self._abandon_callbacks, cid), NORMAL, patience)

    def abandon(self, timer: PatienceTimer) -> None:
        """A patience timer fired: the customer leaves if still waiting."""
        cid = timer.contact
        c = self.contacts
        if c.outcome[cid] == IN_SYSTEM:
            now = self.env.now
            c.outcome[cid] = ABANDONED
            c.end[cid] = now
            queue = self.queues[c.channel[cid]]
            queue.waiting -= 1
            if queue.abandon_hook:
                self.journeys.abandoned(cid, now)

    def start(self, agent: Agent, cid: int, queue: ChannelQueue, now: float) -> None:
        """*agent* takes contact *cid* of *queue* at *now*."""
        pool = agent.pool
        load = agent.load
        handle = self._base[cid] * pool.efficiency[queue.code]
        if queue.chat:
            handle *= 1.0 + queue.slowdown * load
            units = 1
        else:
            units = pool.capacity
        if queue.hooked:
            handle = self.journeys.started(cid, queue, agent, now, handle)
        if agent.idle:
            agent.idle = False
            pool.n_idle -= 1
        if pool.track and load == 0:
            self._track(pool, now, 1)
        slot = agent.free.pop()
        slot.units = units
        agent.load = load = load + units
        agent.stamp += 1
        self._answer[cid] = now
        self._handle[cid] = handle
        self._outcome[cid] = ANSWERED
        self._pool[cid] = pool.code
        self._agent[cid] = agent.number
        slot.callbacks = slot.cbs
        slot.work = work = handle + self._wrap[cid]
        self._push(self._heap, (now + work, NORMAL, next(self._eid), slot))
        if load < pool.capacity and not pool.closing:
            agent.idle_since = now
            pool.available[load].append((agent.stamp, agent))

    def done(self, slot: Slot) -> None:
        """A slot's contact is finished (handling and wrap-up): the agent looks for work."""
        agent = slot.agent
        agent.load -= slot.units
        agent.free.append(slot)
        agent.stamp += 1
        pool = agent.pool
        now = self.env._now
        if pool.track and agent.load == 0:
            self._track(pool, now, -1)
            if pool.rest_ratio:
                self._schedule(
                    TimedEvent(self._rested_cbs, agent), NORMAL, slot.work * pool.rest_ratio
                )
                return
        self.find_work(agent, now)

    def _rested(self, event: TimedEvent) -> None:
        self.find_work(event.payload, self.env.now)

    def _track(self, pool: PoolState, now: float, busy_delta: int) -> None:
        """Accumulate busy and on-duty agent time (pools with an occupancy limit only)."""
        span = now - pool.tracked_at
        pool.busy_area += pool.busy_agents * span
        pool.duty_area += pool.on_duty * span
        pool.tracked_at = now
        pool.busy_agents += busy_delta

    def check_occupancy(self, pool: PoolState) -> None:
        """Interval boundary: turn forced rest on or off from the last interval's occupancy.

        Rest after each contact of ``work * (1/max - 1)`` keeps an agent's occupancy
        at most ``max``.
        """
        self._track(pool, self.env.now, 0)
        occupancy = pool.busy_area / pool.duty_area if pool.duty_area > 0 else 0.0
        pool.rest_ratio = 1.0 / pool.max_occupancy - 1.0 if occupancy > pool.max_occupancy else 0.0
        pool.busy_area = pool.duty_area = 0.0

    # --- agents -------------------------------------------------------------------------

    def find_work(self, agent: Agent, now: float) -> None:
        """*agent* has capacity at *now*: take the best waiting contact, else become available."""
        pool = agent.pool
        load = agent.load
        if (agent.leaving or pool.to_release or pool.breaks) and self._leave_or_rest(agent):
            return
        if pool.asleep:
            for source in pool.sleepers:
                if source.sleeping:
                    source.flush(now)
        queue = pool.only
        if queue is not None:  # one live skill: the common case, without the general loop
            if queue.waiting:
                cid = queue.pop(now)
                if cid >= 0:
                    self.start(agent, cid, queue, now)
                    return
        else:
            if self._take_best(agent, pool, load, now):
                return
        if pool.closing:
            if load == 0:
                self.go_off(agent)
            return
        agent.idle_since = now
        if load == 0:
            agent.idle = True
            pool.n_idle += 1
            if pool.asleep:
                for source in pool.sleepers:
                    if source.sleeping:
                        source.wake()
        pool.available[load].append((agent.stamp, agent))

    def _take_best(self, agent: Agent, pool: PoolState, load: int, now: float) -> bool:
        """Give *agent* the best waiting contact of its skills; False if there is none."""
        for level in pool.levels:
            queue = _best_in_level(pool, level, load, now) if len(level) > 1 else level[0]
            if queue is None or not queue.waiting:
                continue
            if load and (not queue.chat or load >= queue.concurrency):
                continue
            if queue.deferred and not _may_defer(pool, now):
                continue
            cid = queue.pop(now)
            if cid >= 0:
                self.start(agent, cid, queue, now)
                return True
        return False

    def _leave_or_rest(self, agent: Agent) -> bool:
        """An agent due to leave or to take a break does so now if it can; True if so."""
        pool = agent.pool
        if agent.leaving or pool.to_release:
            if not agent.leaving:
                agent.leaving = True
                pool.n_leaving += 1
                pool.to_release -= 1
            if agent.load == 0:
                self.go_off(agent)
            return True
        if agent.load == 0 and not pool.closing:
            self._start_break(agent)
            return True
        return False

    # --- breaks -------------------------------------------------------------------------

    def break_due(self, pool: PoolState, duration: float) -> None:
        """A break falls due in *pool*: an idle agent takes it now, else the next one free."""
        if pool.closing:
            return
        pool.breaks.append((self.env.now, duration))
        idle = pool.available[0]
        while idle:
            stamp, agent = idle.popleft()
            if agent.stamp == stamp:
                self._start_break(agent)
                return

    def _start_break(self, agent: Agent) -> None:
        pool = agent.pool
        due, duration = pool.breaks.popleft()
        now = self.env.now
        if agent.idle:
            agent.idle = False
            pool.n_idle -= 1
        agent.stamp += 1
        agent.on_duty = False
        self._log(pool.code, -1)
        pool.on_duty -= 1
        pool.n_on_break += 1
        b = self.breaks
        b["pool"].append(pool.code)
        b["agent"].append(agent.number)
        b["due"].append(due)
        b["start"].append(now)
        b["end"].append(now + duration)
        self._schedule(TimedEvent(self._return_cbs, agent), NORMAL, duration)

    def _break_over(self, event: TimedEvent) -> None:
        agent: Agent = event.payload
        pool = agent.pool
        pool.n_on_break -= 1
        if pool.cancel_returns or pool.closing:
            if pool.cancel_returns:
                pool.cancel_returns -= 1
            pool.off.append(agent)
            return
        self.go_on(agent)

    def go_on(self, agent: Agent) -> None:
        """*agent* comes on duty and looks for work."""
        pool = agent.pool
        agent.on_duty = True
        agent.leaving = False
        self._log(pool.code, 1)
        pool.on_duty += 1
        self.find_work(agent, self.env.now)

    def go_off(self, agent: Agent) -> None:
        """*agent* (holding nothing) goes off duty."""
        pool = agent.pool
        if agent.leaving:
            pool.n_leaving -= 1
        if agent.idle:
            agent.idle = False
            pool.n_idle -= 1
        agent.on_duty = False
        agent.leaving = False
        agent.stamp += 1
        self._log(pool.code, -1)
        pool.on_duty -= 1
        pool.off.append(agent)

    def _log(self, pool: int, delta: int) -> None:
        state = self.pools[pool]
        if state.track:  # on-duty time changes: close the running sum first
            self._track(state, self.env.now, 0)
        self.staff_time.append(self.env.now)
        self.staff_pool.append(pool)
        self.staff_delta.append(delta)


def _may_defer(pool: PoolState, now: float) -> bool:
    """Whether an agent of *pool* (not counted as idle) may start deferred work now.

    Not after closing; not while a live or chat contact of the pool's skills waits
    (``deferred_when_no_live_waiting``); not unless ``live_reserve`` other agents of
    the pool stay idle.
    """
    if pool.closing or pool.n_idle < pool.reserve:
        return False
    if pool.defer_rule:
        for q in pool.live_queues:
            if q.waiting and q.head(now) >= 0:
                return False
    return True


def _best_in_level(
    pool: PoolState, level: list[ChannelQueue], load: int, now: float
) -> ChannelQueue | None:
    """Of queues with equal priority, the one whose oldest waiting contact came first."""
    best: ChannelQueue | None = None
    best_arrival = INF
    for queue in level:
        if not queue.waiting or (load and (not queue.chat or load >= queue.concurrency)):
            continue
        if queue.deferred and not _may_defer(pool, now):
            continue
        head = queue.head(now)
        if head >= 0 and queue.arrival[head] < best_arrival:
            best, best_arrival = queue, queue.arrival[head]
    return best
