"""Runtime entities: agents, their work slots, pools and channel queues.

Design (see docs/explanation/performance.md):

* An agent has one :class:`Slot` per contact it can hold at once (1 for voice,
  ``concurrency`` for chat). A slot is a SimPy event that is **re-armed** for
  every contact it handles: no event object is created per contact.
* Available agents of a pool sit in ``available[load]``: deques of
  ``(stamp, agent)`` for agents holding ``load`` contacts (load 0 = idle).
  Entries are invalidated lazily: an agent's ``stamp`` changes whenever it
  leaves a deque, so a stale entry is skipped when it reaches the front. Taking
  the longest-idle agent is O(1) amortised; nothing scans all agents.
* Waiting contacts of a channel sit in a deque of contact ids. An abandoned
  contact stays in the deque as a tombstone (its outcome is no longer
  "in system") and is skipped when it reaches the front.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import simpy

from ccsim.model.clock import NORMAL
from ccsim.model.contacts import ContactTable
from ccsim.records import ABANDONED, IN_SYSTEM

if TYPE_CHECKING:
    from ccsim.model.clock import Clock

__all__ = ["Agent", "ChannelQueue", "PoolState", "RearmableEvent", "Slot", "TimedEvent"]


class RearmableEvent(simpy.Event):
    """A SimPy event that can be scheduled again after it was processed.

    SimPy sets ``callbacks`` to ``None`` when it processes an event; re-arming puts
    the callback list back and schedules the event with :meth:`Environment.schedule`
    (public API). This avoids allocating a fresh ``Timeout`` per occurrence.
    """

    _ok = True
    _value = None
    env: Clock

    def __init__(self, env: Clock, callback: Callable[[Any], None]) -> None:
        self.env = env
        self.callbacks = None  # type: ignore[assignment]  # SimPy's stub omits None (processed)
        self.cbs = [callback]

    def arm(self, delay: float) -> None:
        """Schedule the event to be processed *delay* seconds from now."""
        self.callbacks = self.cbs
        self.env.schedule(self, NORMAL, delay)


class TimedEvent(simpy.Event):
    """A one-off event carrying a payload (an escalation or a follow-on contact)."""

    _ok = True
    _value = None

    def __init__(self, callbacks: list[Callable[[Any], None]], payload: Any) -> None:
        self.callbacks = callbacks
        self.payload = payload


class Slot(RearmableEvent):
    """One contact an agent can hold; processed when that contact's work ends."""

    def __init__(self, env: Clock, agent: Agent, callback: Callable[[Any], None]):
        super().__init__(env, callback)
        self.agent = agent
        self.units = 1
        self.work = 0.0


class Agent:
    """An agent of a pool.

    Attributes
    ----------
    number
        Agent number within its pool (stable for the run).
    load
        Contacts held now.
    free
        Slots not holding a contact.
    on_duty
        True while the agent counts towards the pool's staffing.
    leaving
        True when the agent is to go off duty as soon as it holds no contact.
    stamp
        Changes whenever the agent leaves an availability deque (lazy deletion).
    idle_since
        Time the agent last entered an availability deque [s].
    idle
        True while the agent holds nothing and waits for work (counted in ``n_idle``).
    """

    __slots__ = (
        "free",
        "idle",
        "idle_since",
        "leaving",
        "load",
        "number",
        "on_duty",
        "pool",
        "stamp",
    )

    def __init__(self, pool: PoolState, number: int) -> None:
        self.pool = pool
        self.number = number
        self.load = 0
        self.free: list[Slot] = []
        self.on_duty = False
        self.leaving = False
        self.stamp = 0
        self.idle_since = 0.0
        self.idle = False


class ChannelQueue:
    """Waiting contacts of one channel, oldest first.

    Abandonment is resolved lazily when nothing reacts to it at the moment it
    happens: a contact whose patience ran out before an agent reached it is
    recorded as abandoned at ``arrival + patience`` when it comes to the front.
    For a first-come-first-served queue this is exact and saves a timer event
    per waiting contact. Otherwise (``lazy = False``) a patience timer marks it
    abandoned on time and the deque keeps it as a tombstone until it is popped.
    """

    __slots__ = (
        "abandon_hook",
        "arrival",
        "chat",
        "code",
        "concurrency",
        "deferred",
        "dq",
        "end",
        "hooked",
        "kind",
        "lazy",
        "name",
        "outcome",
        "patience",
        "pools",
        "select",
        "slowdown",
        "source",
        "waiting",
    )

    def __init__(
        self,
        code: int,
        name: str,
        kind: str,
        concurrency: int,
        slowdown: float,
        contacts: ContactTable,
    ) -> None:
        self.code = code
        self.name = name
        self.kind = kind
        self.chat = kind == "chat"
        self.deferred = kind == "deferred"
        self.hooked = False  # the journey engine sees every answered contact
        self.abandon_hook = False  # ... and every abandonment (then lazy is False)
        self.concurrency = concurrency
        self.slowdown = slowdown
        self.dq: deque[int] = deque()
        self.waiting = 0
        self.lazy = True
        self.pools: list[PoolState] = []
        self.select: Callable[[], Agent | None] = _nobody
        self.source: Any = None  # the channel's ArrivalSource
        self.arrival = contacts.arrival
        self.patience = contacts.patience
        self.outcome = contacts.outcome
        self.end = contacts.end

    def _expired(self, cid: int, now: float) -> bool:
        """Record *cid* as abandoned if its patience ran out before *now*."""
        deadline = self.arrival[cid] + self.patience[cid]
        if deadline < now:
            self.outcome[cid] = ABANDONED
            self.end[cid] = deadline
            self.waiting -= 1
            return True
        return False

    def head(self, now: float) -> int:
        """The oldest contact still waiting at *now* (-1 if none), resolving the front."""
        dq = self.dq
        outcome = self.outcome
        while dq:
            cid = dq[0]
            if outcome[cid] == IN_SYSTEM and not self._expired(cid, now):
                return cid
            dq.popleft()
        return -1

    def pop(self, now: float) -> int:
        """Remove and return the oldest contact still waiting at *now* (-1 if none)."""
        dq = self.dq
        outcome = self.outcome
        arrival = self.arrival
        patience = self.patience
        while dq:
            cid = dq.popleft()
            if outcome[cid] != IN_SYSTEM:
                continue  # a tombstone left by a patience timer
            self.waiting -= 1
            deadline = arrival[cid] + patience[cid]
            if deadline < now:  # gave up before an agent got here (lazy abandonment)
                outcome[cid] = ABANDONED
                self.end[cid] = deadline
                continue
            return cid
        return -1

    def settle(self, now: float) -> None:
        """End of run: record lazily-resolved abandonments up to *now*."""
        for cid in self.dq:
            if self.outcome[cid] == IN_SYSTEM:
                deadline = self.arrival[cid] + self.patience[cid]
                if deadline <= now:
                    self.outcome[cid] = ABANDONED
                    self.end[cid] = deadline
                    self.waiting -= 1


def _nobody() -> Agent | None:  # pragma: no cover - replaced at build time
    return None


class PoolState:
    """A pool at run time: its agents, availability deques and skills by priority."""

    __slots__ = (
        "agents",
        "asleep",
        "available",
        "breaks",
        "busy_agents",
        "busy_area",
        "cancel_returns",
        "capacity",
        "closing",
        "code",
        "defer_rule",
        "duty_area",
        "efficiency",
        "fill",
        "levels",
        "live_queues",
        "max_occupancy",
        "n_idle",
        "n_leaving",
        "n_on_break",
        "n_skills",
        "name",
        "off",
        "on_duty",
        "only",
        "priority",
        "reserve",
        "rest_ratio",
        "sleepers",
        "target",
        "to_release",
        "track",
        "tracked_at",
    )

    def __init__(
        self,
        code: int,
        name: str,
        capacity: int,
        levels: list[list[ChannelQueue]],
        efficiency: list[float],
        priority: dict[int, int],
    ) -> None:
        self.code = code
        self.name = name
        self.capacity = capacity
        self.levels = levels
        self.efficiency = efficiency
        self.priority = priority
        self.n_skills = sum(len(level) for level in levels)
        self.available: list[deque[tuple[int, Agent]]] = [deque() for _ in range(capacity)]
        self.agents: list[Agent] = []
        self.off: list[Agent] = []
        self.on_duty = 0
        self.target = 0
        self.to_release = 0
        self.n_leaving = 0
        self.closing = False
        self.fill = True
        self.n_idle = 0
        self.n_on_break = 0
        self.cancel_returns = 0  # agents on a break who will not come back
        self.breaks: deque[tuple[float, float]] = deque()  # (due time, duration) not started
        self.reserve = 0
        # Occupancy limit: busy and on-duty agent time since the last check.
        self.max_occupancy = 0.0
        self.track = False
        self.busy_agents = 0
        self.busy_area = 0.0
        self.duty_area = 0.0
        self.tracked_at = 0.0
        self.rest_ratio = 0.0  # rest after a contact, as a share of its work
        self.defer_rule = True
        self.live_queues = [q for level in levels for q in level if not q.deferred]
        self.sleepers: list[Any] = []  # arrival streams of its skills that may sleep
        self.asleep = 0  # how many of them sleep now
        # The one queue of a pool with a single live skill (fast path), else None.
        single = [q for level in levels for q in level]
        self.only = single[0] if len(single) == 1 and single[0].kind == "live" else None

    def first_available(self, max_load: int) -> tuple[int, Agent | None]:
        """An available agent holding fewer than *max_load* units, longest-available first.

        Among loads, the most loaded first when ``fill`` is set (pack chats onto
        agents already chatting, keeping idle agents free for calls), else the
        least loaded first (spread chats). Returns ``(load, agent)``; ``agent``
        is None when there is none. Stale entries met on the way are dropped.
        """
        loads = range(max_load - 1, -1, -1) if self.fill else range(max_load)
        for load in loads:
            dq = self.available[load]
            while dq:
                stamp, agent = dq[0]
                if agent.stamp == stamp:
                    return load, agent
                dq.popleft()
        return 0, None
