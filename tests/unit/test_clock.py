"""The clock processes events exactly as SimPy would, only faster.

:class:`ccsim.model.clock.Clock` inlines SimPy's stepping loop and keeps arrival
streams in a second queue (the lane). These tests pin what that relies on (the
layout of SimPy's event queue) and that the order of events, ``run(until)`` and
error handling are SimPy's own.
"""

from __future__ import annotations

import itertools

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from ccsim.model.clock import NORMAL, Clock


class Marker(simpy.Event):
    """An event that appends its label to *log* and may schedule a follow-up."""

    _ok = True
    _value = None

    def __init__(self, env: simpy.Environment, log: list, label: int, then: float | None):
        self.env = env
        self.label = label
        self.then = then
        self.callbacks = [self.fire]
        self.log = log

    def fire(self, _event: object) -> None:
        self.log.append((self.env.now, self.label))
        if self.then is not None:
            follow = Marker(self.env, self.log, -self.label - 1, None)
            self.env.schedule(follow, NORMAL, self.then)


def test_relies_on_simpy_queue_layout() -> None:
    clock = Clock()
    assert clock.heap is clock._queue
    event = simpy.Event(clock)
    clock.schedule(event, NORMAL, 2.5)
    time, priority, eid, queued = clock.heap[0]
    assert (time, priority, queued) == (2.5, NORMAL, event)
    assert isinstance(eid, int) and next(clock.eid) == eid + 1


events = st.lists(
    st.tuples(
        st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0]),  # few distinct times: many ties
        st.sampled_from([0, 1]),  # URGENT or NORMAL
        st.booleans(),  # in the lane (Clock) or the main queue
        st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0])),  # a follow-up's delay
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(events)
def test_same_order_as_simpy(spec: list[tuple[float, int, bool, float | None]]) -> None:
    """Events spread over the lane and the heap come out in SimPy's (time, priority, id) order."""
    reference: list = []
    env = simpy.Environment()
    for label, (time, priority, _lane, then) in enumerate(spec):
        env.schedule(Marker(env, reference, label, then), priority, time)
    env.run()

    log: list = []
    clock = Clock()
    for label, (time, priority, lane, then) in enumerate(spec):
        event = Marker(clock, log, label, then)
        if lane:
            clock.push(clock.lane, (time, priority, next(clock.eid), event))
        else:
            clock.schedule(event, priority, time)
    assert clock.peek() == min(t for t, *_ in spec)
    clock.run()
    assert log == reference
    assert clock.peek() == float("inf")


def test_run_until_stops_before_ordinary_events_at_that_time_and_resumes() -> None:
    log: list = []
    clock = Clock()
    for label, time in enumerate([1.0, 2.0, 2.0, 3.0]):
        clock.push(clock.lane, (time, NORMAL, next(clock.eid), Marker(clock, log, label, None)))
    clock.run(until=2.0)
    assert clock.now == 2.0 and log == [(1.0, 0)]
    clock.run(until=10)
    assert clock.now == 10 and [label for _, label in log] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="must be greater"):
        clock.run(until=5.0)


def test_run_until_an_event() -> None:
    clock = Clock()
    done = clock.timeout(4.0, value="ok")
    assert clock.run(until=done) == "ok"
    assert clock.now == 4.0
    assert clock.run(until=done) == "ok"  # already processed


def test_failed_event_crashes_the_run() -> None:
    clock = Clock()

    def boom(env: simpy.Environment):
        yield env.timeout(1.0)
        raise KeyError("lost")

    clock.process(boom(clock))
    with pytest.raises(KeyError, match="lost"):
        clock.run()


def test_until_event_never_triggered() -> None:
    clock = Clock()
    never = simpy.Event(clock)
    clock.timeout(1.0)
    with pytest.raises(RuntimeError, match="No scheduled events left"):
        clock.run(until=never)


def test_processes_and_timeouts_behave_as_in_simpy() -> None:
    def trace(env: simpy.Environment) -> list[tuple[float, str]]:
        out: list[tuple[float, str]] = []

        def worker(name: str, gaps: list[float]):
            for gap in gaps:
                yield env.timeout(gap)
                out.append((env.now, name))

        env.process(worker("a", [1.0, 1.0, 0.5]))
        env.process(worker("b", [0.5, 1.5, 1.0]))
        env.run()
        return out

    assert trace(Clock()) == trace(simpy.Environment())


def test_event_ids_are_shared_between_queues() -> None:
    """An id from ``clock.eid`` orders ties across the lane and the heap."""
    clock = Clock()
    log: list = []
    ids = itertools.count()
    first, second = Marker(clock, log, next(ids), None), Marker(clock, log, next(ids), None)
    clock.schedule(first, NORMAL, 1.0)
    clock.push(clock.lane, (1.0, NORMAL, next(clock.eid), second))
    clock.run()
    assert [label for _, label in log] == [0, 1]


def test_step_takes_from_both_queues_in_order() -> None:
    log: list = []
    clock = Clock()
    clock.schedule(Marker(clock, log, 0, None), NORMAL, 2.0)
    clock.push(clock.lane, (1.0, NORMAL, next(clock.eid), Marker(clock, log, 1, None)))
    clock.step()
    clock.step()
    assert log == [(1.0, 1), (2.0, 0)]
    with pytest.raises(simpy.core.EmptySchedule):
        clock.step()
