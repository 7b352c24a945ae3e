"""Customer journeys in the engine: self-service, and the contacts that follow a contact.

The rules are in :mod:`ccsim.scenario.journeys`. Here they become three kinds of
event, each created only when needed:

* an *escalation* when a contact leaves self-service for the agent queue;
* a *follow-on* when a later contact about an issue arrives (retry, switch,
  follow-up, repeat); its row is created when it arrives;
* the decision after an answered contact is taken when it is answered (its
  handle time is known then) from a uniform drawn in advance (``u_answer``), and
  after an abandoned one from ``u_abandon``; the decision is recorded in the
  ``next`` column, so issue outcomes are derived from the records afterwards.

New contacts get their draws in blocks with their arrivals (common random
numbers); later contacts draw from separate ``followon/...`` streams so that
they never shift the draws of new contacts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from ccsim.distributions import Distribution
from ccsim.model.clock import NORMAL
from ccsim.model.contacts import ContactTable
from ccsim.model.entities import Agent, ChannelQueue, TimedEvent
from ccsim.profiles import Calendar
from ccsim.records import (
    CAUSE_FOLLOW_UP,
    CAUSE_REPEAT,
    CAUSE_RETRY,
    CAUSE_SWITCH,
    DEFLECTED,
    NEXT_FOLLOW_UP,
    NEXT_LOST,
    NEXT_OPEN,
    NEXT_REPEAT,
    NEXT_RESOLVED,
    NEXT_RETRY,
    NEXT_SWITCH,
)
from ccsim.rng import BlockSampler, RandomStreams
from ccsim.scenario.schema import Scenario

__all__ = ["JourneyEngine"]


def _cumulative(weights: dict[int, float]) -> list[tuple[float, int]]:
    total, out = 0.0, []
    for code, p in weights.items():
        total += p
        out.append((total, code))
    return out


def _pick(cumulative: list[tuple[float, int]], u: float) -> int:
    for bound, code in cumulative:
        if u < bound:
            return code
    return -1


class _ChannelRules:
    """The journey rules of one channel, as plain numbers and samplers."""

    def __init__(self, name: str, sc: Scenario, codes: dict[str, int], streams: RandomStreams):
        j = sc.journeys

        def sampler(section: str, dist: Distribution) -> BlockSampler:
            return streams.sampler(f"delay/{section}/{name}", dist.sample)

        retry, switch = j.retry.get(name), j.switch.get(name)
        self.retry_p = retry.probability if retry else 0.0
        self.retry_delay = sampler("retry", retry.delay) if retry else None
        self.switch = (
            _cumulative({codes[t]: p for t, p in switch.on_abandon.items()}) if switch else []
        )
        self.switch_delay = sampler("switch", switch.delay) if switch else None
        follow, res = j.follow_up.get(name), j.resolution.get(name)
        self.follow_p = follow.probability if follow else 0.0
        self.follow_to = codes[follow.to] if follow else -1
        self.follow_delay = sampler("follow_up", follow.delay) if follow else None
        self.fcr = res.first_contact if res else 1.0
        self.repeat = _cumulative({codes[t]: p for t, p in res.repeat.items()}) if res else []
        self.repeat_delay = sampler("repeat", res.delay) if res else None


class _Draws:
    """Samplers for the random attributes of later contacts of one channel."""

    def __init__(self, name: str, sc: Scenario, streams: RandomStreams) -> None:
        ch = sc.channels[name]
        ss = sc.self_service.get(name)

        def uniform(rng: np.random.Generator, n: int) -> np.ndarray:
            return rng.random(n)

        def zeros(_rng: np.random.Generator, n: int) -> np.ndarray:
            return np.zeros(n)

        def infinite(_rng: np.random.Generator, n: int) -> np.ndarray:
            return np.full(n, np.inf)

        def s(kind: str, draw: Any) -> BlockSampler:
            return streams.sampler(f"followon/{kind}/{name}", draw)

        self.handle = s("handle", ch.handle_time.sample)
        self.wrap = s("wrap", zeros if ch.wrap_up is None else ch.wrap_up.sample)
        self.patience = s("patience", infinite if ch.patience is None else ch.patience.sample)
        self.u_abandon = s("u_abandon", uniform)
        self.u_answer = s("u_answer", uniform)
        self.u_ss = s("u_ss", uniform)
        self.ss_time = s("ss_time", zeros if ss is None else ss.duration.sample)
        self.containment = 0.0 if ss is None else ss.containment


class JourneyEngine:
    """Self-service, context loss and follow-on contacts for one run."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        calendar: Calendar,
        contacts: ContactTable,
        queues: list[ChannelQueue],
        streams: RandomStreams,
        arrive: Callable[[int, ChannelQueue, float], None],
    ) -> None:
        self.env = env
        self.calendar = calendar
        self.contacts = contacts
        self.queues = queues
        self.arrive = arrive
        codes = {q.name: q.code for q in queues}
        self.rules = [_ChannelRules(q.name, scenario, codes, streams) for q in queues]
        self.draws = [_Draws(q.name, scenario, streams) for q in queues]
        ss = [scenario.self_service.get(q.name) for q in queues]
        self.self_service = [s is not None for s in ss]
        self.handle_factor = [1.0 if s is None else s.escalation_handle_factor for s in ss]
        self.patience_factor = [1.0 if s is None else s.escalation_patience_factor for s in ss]
        ctx = scenario.journeys.context_loss
        self.ctx_factor = ctx.handle_factor
        self.ctx_agent = ctx.when == "other_agent"
        self._escalate_cbs: list[Callable[[Any], None]] = [self._escalate]
        self._followon_cbs: list[Callable[[Any], None]] = [self._followon]
        self._schedule = env.schedule

    # --- entering a channel ------------------------------------------------------------------

    def enter(self, cid: int, queue: ChannelQueue, now: float) -> None:
        """Contact *cid* reaches *queue*'s channel: self-service first, if there is one."""
        c = self.contacts
        c.entered[cid] = now
        if not self.self_service[queue.code]:
            c.arrival[cid] = now
            self.arrive(cid, queue, now)
            return
        spent = c.ss_time[cid]
        if c.contained[cid]:
            c.selfserv[cid] = 1
            c.outcome[cid] = DEFLECTED
            c.end[cid] = now + spent
            c.next[cid] = NEXT_RESOLVED
            return
        c.selfserv[cid] = 2
        self._schedule(TimedEvent(self._escalate_cbs, cid), NORMAL, spent)

    def _escalate(self, event: TimedEvent) -> None:
        cid = event.payload
        c = self.contacts
        queue = self.queues[c.channel[cid]]
        now = self.env.now
        c.arrival[cid] = now
        c.base_handle[cid] *= self.handle_factor[queue.code]
        c.patience[cid] *= self.patience_factor[queue.code]
        self.arrive(cid, queue, now)

    # --- after a contact ---------------------------------------------------------------------

    def started(
        self, cid: int, queue: ChannelQueue, agent: Agent, now: float, handle: float
    ) -> float:
        """An agent takes *cid*: apply context loss, decide what follows; return the handle time."""
        c = self.contacts
        pool = agent.pool
        prev = c.prev_channel[cid]
        if prev >= 0:
            ctx_pool = c.ctx_pool[cid]
            if self.ctx_agent:
                lost = ctx_pool != pool.code or c.ctx_agent[cid] != agent.number
            else:
                lost = prev not in pool.priority or (ctx_pool >= 0 and ctx_pool != pool.code)
            if lost:
                handle *= self.ctx_factor
        rules = self.rules[queue.code]
        end = now + handle
        u = c.u_answer[cid]
        if u < rules.follow_p:
            assert rules.follow_delay is not None
            self._follow_on(
                cid,
                rules.follow_to,
                CAUSE_FOLLOW_UP,
                NEXT_FOLLOW_UP,
                end + rules.follow_delay(),
                pool.code,
                agent.number,
            )
            return handle
        u = (u - rules.follow_p) / (1.0 - rules.follow_p)
        if u < rules.fcr:
            c.next[cid] = NEXT_RESOLVED
            return handle
        target = _pick(rules.repeat, (u - rules.fcr) / (1.0 - rules.fcr))
        if target < 0:
            c.next[cid] = NEXT_LOST
        else:
            assert rules.repeat_delay is not None
            self._follow_on(
                cid,
                target,
                CAUSE_REPEAT,
                NEXT_REPEAT,
                end + rules.repeat_delay(),
                pool.code,
                agent.number,
            )
        return handle

    def abandoned(self, cid: int, now: float) -> None:
        """*cid* gave up waiting: retry, switch channel, or lose the issue."""
        c = self.contacts
        rules = self.rules[c.channel[cid]]
        u = c.u_abandon[cid]
        if u < rules.retry_p:
            assert rules.retry_delay is not None
            self._follow_on(
                cid, c.channel[cid], CAUSE_RETRY, NEXT_RETRY, now + rules.retry_delay(), -1, -1
            )
            return
        target = _pick(rules.switch, u - rules.retry_p)
        if target < 0:
            c.next[cid] = NEXT_LOST
            return
        assert rules.switch_delay is not None
        self._follow_on(cid, target, CAUSE_SWITCH, NEXT_SWITCH, now + rules.switch_delay(), -1, -1)

    def _when(self, t: float) -> float:
        """*t* moved to the next opening time if the centre is closed; inf after the horizon."""
        cal = self.calendar
        if not cal.steady:
            day = math.floor(t / cal.day_length)
            tod = t - day * cal.day_length
            if tod < cal.open:
                t = day * cal.day_length + cal.open
            elif tod >= cal.close:
                t = (day + 1) * cal.day_length + cal.open
        return t if t < cal.end else math.inf

    def _follow_on(
        self, cid: int, channel: int, cause: int, decision: int, t: float, pool: int, agent: int
    ) -> None:
        c = self.contacts
        when = self._when(t)
        if math.isinf(when):
            c.next[cid] = NEXT_OPEN
            return
        c.next[cid] = decision
        handled_by = pool  # the pool that handled this contact; -1 if nobody did
        if pool < 0:  # not handled: the last handler of the issue stays the context
            pool, agent = c.ctx_pool[cid], c.ctx_agent[cid]
        payload = (
            channel,
            c.issue[cid],
            c.attempt[cid] + 1,
            cause,
            c.channel[cid],
            handled_by,
            pool,
            agent,
        )
        self._schedule(
            TimedEvent(self._followon_cbs, payload), NORMAL, max(0.0, when - self.env.now)
        )

    def _followon(self, event: TimedEvent) -> None:
        channel, issue, attempt, cause, prev_channel, prev_pool, ctx_pool, ctx_agent = event.payload
        d = self.draws[channel]
        cid = self.contacts.add_one(
            channel=channel,
            base_handle=d.handle(),
            wrap=d.wrap(),
            patience=d.patience(),
            ss_time=d.ss_time(),
            contained=int(d.u_ss() < d.containment),
            u_abandon=d.u_abandon(),
            u_answer=d.u_answer(),
            issue=issue,
            attempt=attempt,
            cause=cause,
            prev_channel=prev_channel,
            prev_pool=prev_pool,
            ctx_pool=ctx_pool,
            ctx_agent=ctx_agent,
        )
        self.enter(cid, self.queues[channel], self.env.now)
