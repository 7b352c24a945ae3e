"""Agent-selection policies: which available agent takes an arriving contact.

A policy is a small object registered by name (the ``routing.agent_selection``
value of a scenario). :meth:`AgentSelection.selector` is called once per channel
queue at build time and returns the function the dispatcher calls on every
arrival of that channel: ``select() -> Agent | None``. Selectors never scan all
agents: each looks at the front of the availability deques of the pools that
have the skill. Whether or not the agent returned is still in its deque, the
dispatcher's ``start`` invalidates its entry (lazy deletion).

Register a new policy with :func:`register_agent_selection`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ccsim.model.entities import Agent, ChannelQueue, PoolState

__all__ = ["AGENT_SELECTION", "AgentSelection", "register_agent_selection"]

Select = Callable[[], Agent | None]


class AgentSelection(Protocol):
    """Chooses the agent for an arriving contact."""

    def selector(self, queue: ChannelQueue) -> Select:
        """Return ``select()`` for arrivals on *queue* (called once per run)."""
        ...


AGENT_SELECTION: dict[str, type[AgentSelection]] = {}


def register_agent_selection(name: str) -> Callable[[type[AgentSelection]], type[AgentSelection]]:
    """Class decorator: make a policy available under *name*."""

    def decorate(cls: type[AgentSelection]) -> type[AgentSelection]:
        AGENT_SELECTION[name] = cls
        return cls

    return decorate


def max_load(queue: ChannelQueue) -> int:
    """Agents holding fewer than this many units can take a contact of *queue*.

    A live contact needs an idle agent; a chat one an agent holding fewer chats
    than the channel's concurrency.
    """
    return queue.concurrency if queue.chat else 1


def idle_agent_selector(pool: PoolState) -> Select:
    """Fast path: the longest-idle agent of one pool (live channel), taken off its deque."""
    idle = pool.available[0]
    popleft = idle.popleft

    def select() -> Agent | None:
        while idle:
            stamp, agent = popleft()
            if agent.stamp == stamp:
                return agent
        return None

    return select


def may_take(pool: PoolState, queue: ChannelQueue) -> bool:
    """Whether an idle agent of *pool* may take an arriving contact of *queue*.

    Deferred work needs ``live_reserve`` other idle agents to remain (an idle agent
    means no live contact of the pool's skills is waiting).
    """
    return not queue.deferred or (pool.n_idle > pool.reserve and not pool.closing)


@register_agent_selection("longest_idle")
class LongestIdle:
    """The least-loaded agent, then the one available longest, across all eligible pools.

    For live channels this is the longest-idle-agent rule, the fairest split of
    work between agents (Armony & Ward 2010, *Operations Research* 58(3)).
    """

    def selector(self, queue: ChannelQueue) -> Select:
        pools = list(queue.pools)
        limit = max_load(queue)
        if len(pools) == 1 and limit == 1 and not queue.deferred:
            return idle_agent_selector(pools[0])

        def select() -> Agent | None:
            best: Agent | None = None
            best_key = (limit, float("inf"))
            for pool in pools:
                if not may_take(pool, queue):
                    continue
                load, agent = pool.first_available(limit)
                if agent is not None and (load, agent.idle_since) < best_key:
                    best, best_key = agent, (load, agent.idle_since)
            return best

        return select


@register_agent_selection("specialists_first")
class SpecialistsFirst:
    """Pools where the channel has the best priority and the fewest skills go first.

    Keeps generalists (blended agents) free for the contacts only they can take;
    within the first pool with an available agent, the least-loaded then
    longest-idle agent.
    """

    def selector(self, queue: ChannelQueue) -> Select:
        code = queue.code
        pools = sorted(queue.pools, key=lambda p: (p.priority[code], p.n_skills, p.code))
        limit = max_load(queue)
        if len(pools) == 1 and limit == 1 and not queue.deferred:
            return idle_agent_selector(pools[0])

        def select() -> Agent | None:
            for pool in pools:
                if not may_take(pool, queue):
                    continue
                agent = pool.first_available(limit)[1]
                if agent is not None:
                    return agent
            return None

        return select
