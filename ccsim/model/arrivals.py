"""Arrival streams: one re-armed event per channel, arrival times drawn per day in blocks.

At the start of each block (a day, or a chunk of a steady-state run) the stream
draws the arrival times of the whole block with numpy, and the per-contact
attributes of those contacts (base handle time, wrap-up, patience) from their own
named streams. So the n-th contact of a channel gets the n-th draw of each
stream in every scenario that shares the seed: common random numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from ccsim.model.clock import NORMAL, Clock
from ccsim.model.contacts import ContactTable
from ccsim.model.dispatch import Dispatcher
from ccsim.model.entities import ChannelQueue, RearmableEvent
from ccsim.profiles import Calendar, poisson_arrival_times
from ccsim.rng import RandomStreams
from ccsim.scenario.journeys import SelfService
from ccsim.scenario.schema import Channel

__all__ = ["ArrivalSource", "arrival_blocks"]

#: Steady-state runs generate arrivals in chunks of about this many contacts.
CHUNK = 8192


def _chunks(calendar: Calendar, rate: float) -> list[tuple[np.ndarray, np.ndarray]]:
    starts = calendar.interval_starts()
    lengths = calendar.interval_lengths()
    if not calendar.steady:
        return [(starts, lengths)]
    per_interval = max(rate * calendar.interval / 3600.0, 1e-9)
    step = max(1, math.ceil(CHUNK / per_interval))
    return [(starts[i : i + step], lengths[i : i + step]) for i in range(0, len(starts), step)]


def _attributes(
    name: str, channel: Channel, ss: SelfService | None, journeys: bool, streams: RandomStreams
) -> Callable[[int], dict[str, np.ndarray]]:
    """A function drawing the per-contact attributes of *n* new contacts of a channel."""
    rng_handle = streams.get(f"handle/{name}")
    rng_wrap = streams.get(f"wrap/{name}")
    rng_patience = streams.get(f"patience/{name}")
    rng_ss = streams.get(f"selfservice/{name}")
    rng_journey = streams.get(f"journey/{name}")

    def draw(n: int) -> dict[str, np.ndarray]:
        out = {"base_handle": channel.handle_time.sample(rng_handle, n)}
        if channel.wrap_up is not None:
            out["wrap"] = channel.wrap_up.sample(rng_wrap, n)
        if channel.patience is not None:
            out["patience"] = channel.patience.sample(rng_patience, n)
        if ss is not None:
            out["contained"] = rng_ss.random(n) < ss.containment
            out["ss_time"] = ss.duration.sample(rng_ss, n)
        if journeys:
            out["u_abandon"] = rng_journey.random(n)
            out["u_answer"] = rng_journey.random(n)
        return out

    return draw


def arrival_blocks(
    name: str,
    code: int,
    channel: Channel,
    base: np.ndarray,
    calendar: Calendar,
    streams: RandomStreams,
    contacts: ContactTable,
    ss: SelfService | None = None,
    journeys: bool = False,
) -> Iterator[tuple[int, list[float]]]:
    """Yield ``(first_contact_id, arrival_times)`` block after block, adding the contacts.

    *base* is the rate per interval of the day [contacts/h] before day factors.
    Random streams: ``arrivals/<name>`` (times), ``busyness/<name>`` (day factor),
    ``handle/<name>``, ``wrap/<name>``, ``patience/<name>``, ``selfservice/<name>``
    and ``journey/<name>`` (the per-contact draws).
    """
    arr = channel.arrivals
    rng = streams.get(f"arrivals/{name}")
    rng_busy = streams.get(f"busyness/{name}")
    attributes = _attributes(name, channel, ss, journeys, streams)
    cv = arr.overdispersion
    fixed = None if arr.times is None else np.sort(np.asarray(arr.times, dtype=float))
    for day in range(calendar.days):
        factor = arr.day_factor(day)
        if cv > 0:
            factor *= rng_busy.gamma(1.0 / cv**2, cv**2)
        offset = calendar.day_start(day)
        k0 = 0
        pieces = [(None, None)] if fixed is not None else _chunks(calendar, float(base.mean()))
        for starts, lengths in pieces:
            if fixed is not None:
                times = offset + calendar.open + fixed
            else:
                assert starts is not None and lengths is not None
                rates = np.maximum(base[k0 : k0 + len(starts)], 0.0) * factor
                k0 += len(starts)
                times = poisson_arrival_times(rng, rates, offset + starts, lengths)
            if len(times) == 0:
                continue
            yield contacts.add_block(code, times, **attributes(len(times))), times.tolist()


class ArrivalSource(RearmableEvent):
    """The arrival stream of one channel: one event, re-armed for every arrival.

    Without self-service, an arriving contact joins the queue at once (the fast
    path); with it, *enter* (the journey engine) takes over.

    A *sleeping* stream saves the event of every arrival that would only join the
    queue. When an arrival finds no agent available and nothing reacts to
    arrivals (``can_sleep``: a live channel with lazy abandonment, served by
    pools of one contact at a time and no deferred work), the stream stops
    re-arming. The arrival times are known in advance, so the next agent to free
    up first :meth:`flush`-es every arrival up to now into the queue, with its own
    arrival time, and an agent becoming idle :meth:`wake`-s the stream. Waits,
    abandonment and service order are exactly those of processing each arrival
    on time.
    """

    def __init__(
        self,
        env: Clock,
        queue: ChannelQueue,
        dispatcher: Dispatcher,
        blocks: Iterator[tuple[int, list[float]]],
        enter: Callable[[int, ChannelQueue, float], None] | None = None,
    ) -> None:
        super().__init__(env, self.fire)
        self.queue = queue
        self.arrive = dispatcher.arrive
        self.start = dispatcher.start
        self.enter = enter
        self.arrival = dispatcher.contacts.arrival
        self._lane = env.lane
        self._eid = env.eid
        self._push = env.push
        self.blocks = blocks
        self.first = 0
        self.times: list[float] = []
        self.i = 0
        self.can_sleep = False
        self.sleeping = False
        self.done = False
        queue.source = self

    def arm_at(self, when: float) -> None:
        """Schedule the next arrival at time *when* [s] (not before now), in the clock's lane."""
        now = self.env._now
        self.callbacks = self.cbs
        self._push(self._lane, (when if when > now else now, NORMAL, next(self._eid), self))

    def begin(self) -> None:
        """Arm the first arrival."""
        if self._advance_block():
            self.arm_at(self.times[0])

    def _advance_block(self) -> bool:
        for first, times in self.blocks:
            self.first, self.times, self.i = first, times, 0
            return True
        self.done = True
        return False

    def fire(self, _event: object) -> None:
        """An arrival: to self-service or the queue, and arm the next one."""
        i = self.i
        now = self.env._now
        cid = self.first + i
        queue = self.queue
        if self.enter is not None:
            self.enter(cid, queue, now)
        else:
            self.arrival[cid] = now
            if not self.can_sleep:
                self.arrive(cid, queue, now)
            else:
                agent = queue.select()
                if agent is None:  # it waits; so will every arrival until an agent frees up
                    self._fall_asleep(cid, i)
                    return
                self.start(agent, cid, queue, now)
        i += 1
        times = self.times
        if i < len(times):
            self.i = i
        elif not self._advance_block():
            return
        else:
            times = self.times
        when = times[self.i]
        self.callbacks = self.cbs
        self._push(self._lane, (when if when > now else now, NORMAL, next(self._eid), self))

    def _fall_asleep(self, cid: int, i: int) -> None:
        """Contact *cid* (arrival *i*) waits: queue it and stop re-arming until :meth:`wake`."""
        queue = self.queue
        queue.dq.append(cid)
        queue.waiting += 1
        if self._step(i):
            self.sleeping = True
            for pool in queue.pools:
                pool.asleep += 1

    def _step(self, i: int) -> bool:
        """Move past arrival *i*; False when the stream has ended."""
        i += 1
        if i < len(self.times):
            self.i = i
            return True
        return self._advance_block()

    def flush(self, now: float) -> None:
        """Queue every not yet processed arrival up to *now*, at its own arrival time."""
        queue = self.queue
        dq, arrival = queue.dq, self.arrival
        while not self.done:
            times, first, i = self.times, self.first, self.i
            n = len(times)
            while i < n and times[i] <= now:
                cid = first + i
                arrival[cid] = times[i]
                dq.append(cid)
                queue.waiting += 1
                i += 1
            if i < n:
                self.i = i
                return
            self._advance_block()

    def wake(self) -> None:
        """An agent is available again: arm the next arrival (call :meth:`flush` first)."""
        self.sleeping = False
        for pool in self.queue.pools:
            pool.asleep -= 1
        if not self.done:
            self.arm_at(self.times[self.i])
