"""Build a runnable model from a scenario, run it, and hand back its records.

``build(scenario, streams)`` is the only place that wires SimPy objects together
(desmod's "elaborate" phase); :meth:`Model.run` runs the clock and returns
:class:`~ccsim.records.RunRecords`. Nothing outside :mod:`ccsim.model` touches
SimPy.
"""

from __future__ import annotations

import numpy as np
import simpy

from ccsim.model.arrivals import ArrivalSource, arrival_blocks
from ccsim.model.contacts import ContactTable
from ccsim.model.dispatch import Dispatcher
from ccsim.model.entities import ChannelQueue, PoolState
from ccsim.model.routing import AGENT_SELECTION
from ccsim.model.staffing import staffing_plan, staffing_process
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
        self.env = simpy.Environment()
        self.contacts = ContactTable()
        channels = list(scenario.channels)
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
        self.pools: list[PoolState] = []
        for p, (name, pool) in enumerate(scenario.pools.items()):
            codes = {channels.index(c): prio for c, prio in pool.skills.items()}
            capacity = max(
                [self.queues[c].concurrency for c in codes if self.queues[c].kind == "chat"],
                default=1,
            )
            efficiency = [pool.efficiency.get(name, 1.0) for name in channels]
            state = PoolState(p, name, capacity, _levels(codes, self.queues), efficiency, codes)
            state.fill = scenario.routing.chat_assignment == "fill"
            self.pools.append(state)
            for c in codes:
                self.queues[c].pools.append(state)
        self.dispatcher = Dispatcher(self.env, self.contacts, self.queues, self.pools)
        policy = AGENT_SELECTION[scenario.routing.agent_selection]()
        for queue in self.queues:
            queue.select = policy.selector(queue)
        self.scheduled, self.available = staffing_plan(scenario, self.calendar, streams)
        self.sources = [
            ArrivalSource(
                self.env,
                q,
                self.dispatcher,
                arrival_blocks(q.name, q.code, ch, self.calendar, streams, self.contacts),
            )
            for q, ch in zip(self.queues, scenario.channels.values(), strict=True)
        ]

    def run(self) -> RunRecords:
        """Run the horizon (and the drain after the last closing) and collect the records."""
        env = self.env
        env.process(staffing_process(env, self.dispatcher, self.calendar, self.available))
        for source in self.sources:
            source.start()
        if self.calendar.steady:
            env.run(until=self.calendar.end)
        else:
            env.run()
        for queue in self.queues:
            queue.settle(env.now)
        d = self.dispatcher
        return RunRecords(
            contacts=self.contacts.columns(),
            channels=[q.name for q in self.queues],
            pools=[p.name for p in self.pools],
            calendar=self.calendar,
            staffing_time=np.frombuffer(d.staff_time, dtype=np.float64).copy(),
            staffing_pool=np.frombuffer(d.staff_pool, dtype=np.int16).astype(np.int64),
            staffing_delta=np.frombuffer(d.staff_delta, dtype=np.int8).astype(np.int64),
            scheduled=self.scheduled,
            end_time=float(env.now),
        )


def build(scenario: Scenario, streams: RandomStreams) -> Model:
    """Wire *scenario* onto a fresh SimPy environment with the given random streams."""
    return Model(scenario, streams)
