"""Build a runnable model from a scenario, run it, and hand back its records.

``build(scenario, streams)`` is the only place that wires SimPy objects together
(desmod's "elaborate" phase); :meth:`Model.run` runs the clock and returns
:class:`~ccsim.records.RunRecords`. Nothing outside :mod:`ccsim.model` touches
SimPy.
"""

from __future__ import annotations

import numpy as np

from ccsim.model.arrivals import ArrivalSource, arrival_blocks
from ccsim.model.clock import Clock
from ccsim.model.contacts import ContactTable
from ccsim.model.dispatch import Dispatcher
from ccsim.model.entities import ChannelQueue, PoolState
from ccsim.model.journeys import JourneyEngine
from ccsim.model.plan import staffing_plan
from ccsim.model.routing import AGENT_SELECTION
from ccsim.model.staffing import break_process, occupancy_process, staffing_process
from ccsim.records import RunRecords
from ccsim.rng import RandomStreams
from ccsim.scenario.schema import Scenario

__all__ = ["Model", "build"]


def _levels(priorities: dict[int, int], queues: list[ChannelQueue]) -> list[list[ChannelQueue]]:
    by_level: dict[int, list[ChannelQueue]] = {}
    for code, prio in priorities.items():
        by_level.setdefault(prio, []).append(queues[code])
    return [by_level[p] for p in sorted(by_level)]


class Model:
    """A scenario wired onto a SimPy environment, ready to run once."""

    def __init__(self, scenario: Scenario, streams: RandomStreams) -> None:
        self.scenario = scenario
        self.calendar = scenario.calendar
        self.env = Clock()
        self.contacts = ContactTable()
        self.queues = [
            ChannelQueue(
                i,
                name,
                ch.kind,
                ch.concurrency if ch.kind == "chat" else 1,
                ch.concurrency_slowdown,
                self.contacts,
            )
            for i, (name, ch) in enumerate(scenario.channels.items())
        ]
        self.pools = _pools(scenario, self.queues)
        self.dispatcher = Dispatcher(self.env, self.contacts, self.queues, self.pools)
        policy = AGENT_SELECTION[scenario.routing.agent_selection]()
        for queue in self.queues:
            queue.select = policy.selector(queue)
        self.plans = staffing_plan(scenario, self.calendar, streams)
        self.journeys = _journeys(self, streams)
        rates = scenario.base_rates()
        self.sources = []
        for q, ch in zip(self.queues, scenario.channels.values(), strict=True):
            ss = scenario.self_service.get(q.name)
            blocks = arrival_blocks(
                q.name,
                q.code,
                ch,
                rates[q.name],
                self.calendar,
                streams,
                self.contacts,
                ss,
                journeys=self.journeys is not None,
            )
            enter = self.journeys.enter if ss is not None and self.journeys else None
            self.sources.append(ArrivalSource(self.env, q, self.dispatcher, blocks, enter))
        _allow_sleep(self.sources)

    def run(self) -> RunRecords:
        """Run the horizon (and the drain after the last closing) and collect the records."""
        env = self.env
        env.process(staffing_process(env, self.dispatcher, self.calendar, self.plans))
        if any(plan.breaks for plan in self.plans):
            env.process(break_process(env, self.dispatcher, self.plans))
        if any(pool.track for pool in self.pools):
            env.process(occupancy_process(env, self.dispatcher, self.calendar))
        for source in self.sources:
            source.begin()
        if self.calendar.steady:
            env.run(until=self.calendar.end)
        else:
            env.run()
        for source in self.sources:
            if source.sleeping:
                source.flush(env.now)
        for queue in self.queues:
            queue.settle(env.now)
        d = self.dispatcher
        return RunRecords(
            contacts=self.contacts.take_columns(),
            channels=[q.name for q in self.queues],
            pools=[p.name for p in self.pools],
            calendar=self.calendar,
            staffing_time=np.frombuffer(d.staff_time, dtype=np.float64).copy(),
            staffing_pool=np.frombuffer(d.staff_pool, dtype=np.int16).astype(np.int64),
            staffing_delta=np.frombuffer(d.staff_delta, dtype=np.int8).astype(np.int64),
            scheduled=np.array([plan.scheduled for plan in self.plans]),
            end_time=float(env.now),
            scheduled_seconds=np.array([plan.scheduled_seconds for plan in self.plans]),
            paid_seconds=np.array([plan.paid_seconds for plan in self.plans]),
            absent_seconds=np.array([plan.absent_seconds for plan in self.plans]),
            break_seconds=np.array([plan.break_seconds for plan in self.plans]),
            shrinkage_seconds=np.array([plan.shrinkage_seconds for plan in self.plans]),
            breaks={
                name: np.frombuffer(col, dtype=col.typecode).copy()
                for name, col in d.breaks.items()
            },
        )


def _pools(scenario: Scenario, queues: list[ChannelQueue]) -> list[PoolState]:
    channels = list(scenario.channels)
    routing = scenario.routing
    pools: list[PoolState] = []
    for p, (name, pool) in enumerate(scenario.pools.items()):
        codes = {channels.index(c): prio for c, prio in pool.skills.items()}
        capacity = max([queues[c].concurrency for c in codes if queues[c].chat], default=1)
        efficiency = [pool.efficiency.get(ch, 1.0) for ch in channels]
        state = PoolState(p, name, capacity, _levels(codes, queues), efficiency, codes)
        state.fill = routing.chat_assignment == "fill"
        state.reserve = routing.live_reserve
        state.defer_rule = routing.deferred_when_no_live_waiting
        if pool.max_occupancy is not None:
            state.max_occupancy = pool.max_occupancy
            state.track = True
        pools.append(state)
        for c in codes:
            queues[c].pools.append(state)
    return pools


def _journeys(model: Model, streams: RandomStreams) -> JourneyEngine | None:
    """The journey engine, if the scenario needs one; marks the queues it must hear from."""
    sc = model.scenario
    j = sc.journeys
    if not (sc.self_service or j.active or j.context_loss.handle_factor != 1.0):
        return None
    engine = JourneyEngine(
        model.env,
        sc,
        model.calendar,
        model.contacts,
        model.queues,
        streams,
        model.dispatcher.arrive,
    )
    model.dispatcher.journeys = engine
    context = j.context_loss.handle_factor != 1.0
    for q in model.queues:
        rules = engine.rules[q.code]
        q.hooked = context or rules.follow_p > 0 or rules.fcr < 1.0
        q.abandon_hook = j.reacts_to_abandonment(q.name)
        q.lazy = not q.abandon_hook
    return engine


def _allow_sleep(sources: list[ArrivalSource]) -> None:
    """Let a channel's arrival stream sleep while its contacts could only wait.

    Only where that changes nothing: a live channel, no self-service, lazy
    abandonment, and every pool serving it holds one contact at a time and has no
    deferred work (whose rules look at the live queues).
    """
    for source in sources:
        q = source.queue
        pools = q.pools
        source.can_sleep = (
            q.kind == "live"
            and source.enter is None
            and q.lazy
            and all(p.capacity == 1 and len(p.live_queues) == p.n_skills for p in pools)
        )
        if source.can_sleep:
            for pool in pools:
                pool.sleepers.append(source)


def build(scenario: Scenario, streams: RandomStreams) -> Model:
    """Wire *scenario* onto a fresh SimPy environment with the given random streams."""
    return Model(scenario, streams)
