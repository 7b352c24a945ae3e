"""The simulation clock: SimPy's :class:`~simpy.core.Environment` with a leaner event loop.

Two events happen for almost every contact: its arrival and the end of its
work. Both are re-armed events (see :mod:`ccsim.model.entities`), so no object
is created per contact. What remained of SimPy's cost per event was its
calling convention and the depth of its event heap, which at 1,000 agents holds
about 900 pending work ends. :class:`Clock` trims both and changes nothing else:

* **The lane.** Arrival streams (one pending event per channel) are kept in a
  second, small heap. Each step takes whichever heap's head comes first in
  SimPy's own order (time, priority, then event id, from one shared counter),
  so events are processed in exactly the order one SimPy queue would give, but
  an arrival no longer pays for sifting through the heap of work ends.
* :meth:`Clock.run` steps in one loop instead of one ``step()`` method call per
  event; callbacks see the same state, and a failed event that nobody defused
  still crashes the run.
* The hot path schedules with ``clock.push(clock.heap, (time, NORMAL,
  next(clock.eid), event))``, which is what :meth:`~simpy.core.Environment.schedule`
  does, without the method call; and reads the time as ``clock._now``, the
  attribute behind SimPy's ``now`` property.

These rely on SimPy 4's event queue: a heap of ``(time, priority, event id,
event)`` tuples in ``Environment._queue`` with ids from ``Environment._eid``.
``tests/unit/test_clock.py`` checks that layout and that the order of events is
SimPy's, so a SimPy release that changes either fails the test suite rather
than the results.
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule, SimTime, StopSimulation
from simpy.events import URGENT, EventPriority

__all__ = ["NORMAL", "Clock"]

#: SimPy's priority of ordinary events (timeouts, re-armed events).
NORMAL: EventPriority = simpy.events.NORMAL


class Clock(simpy.Environment):
    """A SimPy environment with an arrival lane and an inlined :meth:`run` loop.

    Attributes
    ----------
    heap
        SimPy's event queue (the same list object).
    lane
        A second event heap of the same layout, for arrival streams.
    eid
        SimPy's event-id counter: ``next(clock.eid)`` orders events of equal time
        and priority by when they were scheduled.
    push
        :func:`heapq.heappush`, bound here so the hot path finds it as an attribute.
    """

    def __init__(self, initial_time: float = 0.0) -> None:
        super().__init__(initial_time)
        self.heap: list[tuple[SimTime, EventPriority, int, Any]] = self._queue
        self.eid = self._eid
        self.push = heappush
        self.lane: list[tuple[float, int, int, Any]] = []

    def peek(self) -> float:
        """Time of the next event [s] (``inf`` if none)."""
        heads = [q[0][0] for q in (self._queue, self.lane) if q]
        return min(heads, default=float("inf"))

    def step(self) -> None:
        """Process the next event of either queue (raises ``EmptySchedule`` if none).

        :meth:`run` does the same in its own loop; this is for callers that step.
        """
        queue, lane = self._queue, self.lane
        if lane and (not queue or lane[0] < queue[0]):
            self._now, _, _, event = heappop(lane)
        else:
            try:
                self._now, _, _, event = heappop(queue)
            except IndexError:
                raise EmptySchedule from None
        callbacks, event.callbacks = event.callbacks, None
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            event.callbacks = callbacks[callbacks.index(callback) + 1 :]
            self.schedule(event, EventPriority(-1))
            raise
        _crash_if_failed(event)

    def run(self, until: float | simpy.Event | None = None) -> Any:
        """Process events until *until* (a time [s] or an event), or until none are left.

        Same contract as :meth:`simpy.core.Environment.run`.
        """
        if until is not None:
            if not isinstance(until, simpy.Event):
                at = until if isinstance(until, int) else float(until)
                if at <= self._now:
                    raise ValueError(
                        f"until ({at}) must be greater than the current simulation time"
                    )
                until = simpy.Event(self)
                until._ok = True
                until._value = None
                self.schedule(until, URGENT, at - self._now)
            elif until.callbacks is None:
                return until.value
            until.callbacks.append(StopSimulation.callback)
        queue = self._queue
        lane = self.lane
        try:
            while True:  # the body of step(), inlined: a method call per event costs 5%
                if lane and (not queue or lane[0] < queue[0]):
                    self._now, _, _, event = heappop(lane)
                else:
                    try:
                        self._now, _, _, event = heappop(queue)
                    except IndexError:
                        raise EmptySchedule from None
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks:
                    callback(event)
                if not event._ok:
                    _crash_if_failed(event)
        except StopSimulation as exc:
            # As SimPy does: keep the event's remaining callbacks for a later run.
            event.callbacks = callbacks[callbacks.index(callback) + 1 :]
            self.schedule(event, EventPriority(-1))
            return exc.args[0]
        except EmptySchedule:
            if until is not None:
                raise RuntimeError(
                    f'No scheduled events left but "until" event was not triggered: {until}'
                ) from None
        return None


def _crash_if_failed(event: simpy.Event) -> None:
    """Raise a failed event's exception unless it was defused, as SimPy's ``step`` does."""
    if not event._ok and not hasattr(event, "_defused"):
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc
