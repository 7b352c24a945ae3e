"""Scenario schema for customer journeys and self-service (format v1).

A contact belongs to an *issue* of a customer. What happens after a contact is
described per channel:

* ``self_service.<channel>``: a stage in front of the queue (IVR, bot, web FAQ)
  that contains a share of contacts (they end *deflected*) and passes the rest to
  the agents, who then take longer (``escalation_handle_factor``).
* ``journeys.retry.<channel>``: after abandoning, the customer tries again on the
  same channel with a probability, after a delay.
* ``journeys.switch.<channel>.on_abandon``: after abandoning, the customer moves
  to another channel with a probability per target channel. One draw decides
  between retry, each switch target and giving up (the issue is *lost*).
* ``journeys.follow_up.<channel>``: a share of answered contacts bring a later
  contact about the same issue on another channel (an email, then a call).
* ``journeys.resolution.<channel>``: an answered contact without a follow-up
  resolves the issue with probability ``first_contact``; otherwise the customer
  comes back after ``delay`` on a channel drawn from ``repeat`` (the remainder of
  the probability gives up: the issue is lost).
* ``journeys.context_loss``: a later contact of an issue takes ``handle_factor``
  times longer when its agent lacks the context. With ``when: other_pool`` (silos)
  that is when the issue's previous contact was on a channel the agent's pool does
  not serve, or the issue was last handled by another pool; with ``when:
  other_agent``, whenever the issue was not last handled by this very agent.
* ``journeys.induced_demand.<channel>``: how a channel's configured volume is
  read. A share ``new`` of it is new demand; the rest is shifted from other
  channels, whose configured rates are reduced by that volume (per interval of
  the day, before day factors), split by ``from`` (default: in proportion to
  their volumes).

A later contact whose time falls outside opening hours arrives at the next
opening time; one that would arrive after the horizon ends is not created and
its issue stays *open*.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from ccsim.distributions import Deterministic, Distribution
from ccsim.scenario.common import Frozen, Name, PositiveFloat, Problem
from ccsim.units import Probability

__all__ = [
    "ContextLoss",
    "FollowUp",
    "InducedDemand",
    "Journeys",
    "Resolution",
    "Retry",
    "SelfService",
    "Switch",
]


class SelfService(Frozen):
    """A self-service stage (IVR, bot, web FAQ) in front of a channel's queue."""

    containment: Probability = Field(description="Share of contacts self-service resolves.")
    duration: Distribution = Field(
        default_factory=lambda: Deterministic(value=0.0),
        description="Time spent in self-service [s].",
    )
    escalation_handle_factor: PositiveFloat = Field(
        default=1.0, description="Handle-time multiplier for contacts that failed self-service."
    )
    escalation_patience_factor: PositiveFloat = Field(
        default=1.0, description="Patience multiplier for contacts that failed self-service."
    )
    cost_per_contact: float | None = Field(
        default=None,
        ge=0,
        description="Cost per contact entering self-service "
        "(default: costs.self_service_per_contact).",
    )


class Retry(Frozen):
    """Trying again on the same channel after abandoning."""

    probability: Probability = Field(description="Probability of trying again after abandoning.")
    delay: Distribution = Field(
        default_factory=lambda: Deterministic(value=0.0), description="Time until the retry [s]."
    )


class Switch(Frozen):
    """Moving to another channel after abandoning."""

    on_abandon: dict[Name, Probability] = Field(
        description="Probability of switching to each channel after abandoning."
    )
    delay: Distribution = Field(
        default_factory=lambda: Deterministic(value=0.0),
        description="Time until the new contact [s].",
    )


class FollowUp(Frozen):
    """A later contact about the same issue on another channel, after an answered one."""

    probability: Probability = Field(
        description="Probability that an answered contact brings a follow-up."
    )
    to: Name = Field(description="Channel of the follow-up contact.")
    delay: Distribution = Field(
        default_factory=lambda: Deterministic(value=0.0),
        description="Time until the follow-up [s].",
    )


class Resolution(Frozen):
    """Whether an answered contact resolves its issue, and where unresolved ones come back."""

    first_contact: Probability = Field(
        default=1.0, description="Probability that an answered contact resolves the issue."
    )
    repeat: dict[Name, Probability] = Field(
        default_factory=dict,
        description="Channel of the repeat contact of an unresolved issue (rest: gives up).",
    )
    delay: Distribution = Field(
        default_factory=lambda: Deterministic(value=0.0),
        description="Time until the repeat contact [s].",
    )


class ContextLoss(Frozen):
    """Longer handling when the previous contact of the issue was handled elsewhere."""

    handle_factor: PositiveFloat = Field(default=1.0, description="Handle-time multiplier.")
    when: Literal["other_pool", "other_agent"] = Field(
        default="other_pool",
        description="other_pool: the previous contact was on a channel this pool does not "
        "serve, or the issue was last handled by another pool (silos); other_agent: the "
        "issue was not last handled by this agent.",
    )


def _share_shorthand(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"new": value}
    return value


class InducedDemand(Frozen):
    """How much of a channel's volume is new demand, and where the rest is shifted from."""

    new: Probability = Field(description="Share of the channel's volume that is new demand.")
    from_: dict[Name, PositiveFloat] | None = Field(
        default=None,
        alias="from",
        description="Relative weights of the channels the rest is shifted from "
        "(default: all other channels in proportion to their volume).",
    )


class _OrAShare:
    """JSON Schema: an InducedDemand mapping, or just its ``new`` share."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {"anyOf": [handler(core_schema), {"type": "number", "minimum": 0, "maximum": 1}]}


InducedShare = Annotated[InducedDemand, BeforeValidator(_share_shorthand), _OrAShare()]


class Journeys(Frozen):
    """Customer journeys across channels (see the module documentation)."""

    retry: dict[Name, Retry] = Field(
        default_factory=dict, description="Per channel: trying again after abandoning."
    )
    switch: dict[Name, Switch] = Field(
        default_factory=dict, description="Per channel: moving to other channels after abandoning."
    )
    follow_up: dict[Name, FollowUp] = Field(
        default_factory=dict, description="Per channel: a later contact after an answered one."
    )
    resolution: dict[Name, Resolution] = Field(
        default_factory=dict,
        description="Per channel: the probability that an answered contact resolves the issue, "
        "and where unresolved issues come back.",
    )
    context_loss: ContextLoss = Field(
        default_factory=ContextLoss, description="Longer handling without the issue's history."
    )
    induced_demand: dict[Name, InducedShare] = Field(
        default_factory=dict,
        description="Per channel: the share of its volume that is new demand (a number), or "
        "{new: share, from: {channel: weight}}.",
    )

    @property
    def active(self) -> bool:
        """True when any behaviour beyond a single contact per issue is configured."""
        return bool(
            self.retry
            or self.switch
            or self.follow_up
            or any(r.first_contact < 1 for r in self.resolution.values())
        )

    def reacts_to_abandonment(self, channel: str) -> bool:
        """True when abandoning *channel* can lead to another contact."""
        return channel in self.retry or channel in self.switch


def check_journeys(
    journeys: Journeys,
    self_service: dict[str, SelfService],
    kinds: dict[str, str],
    has_patience: dict[str, bool],
) -> list[Problem]:
    """Cross-field problems: unknown channels, probabilities above 1, impossible settings."""
    out: list[Problem] = []
    known = ", ".join(kinds)

    def channel(path: tuple[str | int, ...], name: str) -> None:
        if name not in kinds:
            out.append((path, f"unknown channel {name!r}; channels: {known}"))

    for name in self_service:
        channel(("self_service", name), name)
    base = ("journeys",)
    for section in ("retry", "switch", "follow_up", "resolution", "induced_demand"):
        for name in getattr(journeys, section):
            channel((*base, section, name), name)
    for name, sw in journeys.switch.items():
        for target in sw.on_abandon:
            channel((*base, "switch", name, "on_abandon", target), target)
    for name, fu in journeys.follow_up.items():
        channel((*base, "follow_up", name, "to"), fu.to)
    for name, res in journeys.resolution.items():
        for target in res.repeat:
            channel((*base, "resolution", name, "repeat", target), target)
        if sum(res.repeat.values()) > 1 + 1e-9:
            total = sum(res.repeat.values())
            out.append(
                ((*base, "resolution", name, "repeat"), f"probabilities sum to {total:g} > 1")
            )
    for name in set(journeys.retry) | set(journeys.switch):
        if kinds.get(name) == "deferred":
            section = "retry" if name in journeys.retry else "switch"
            out.append(((*base, section, name), "a deferred channel never abandons"))
        elif name in kinds and not has_patience[name]:
            section = "retry" if name in journeys.retry else "switch"
            out.append(
                ((*base, section, name), f"channel {name!r} has no patience, so nobody abandons")
            )
        retry = journeys.retry[name].probability if name in journeys.retry else 0.0
        switch = sum(journeys.switch[name].on_abandon.values()) if name in journeys.switch else 0.0
        if retry + switch > 1 + 1e-9:
            out.append(
                (
                    (*base, "switch" if name in journeys.switch else "retry", name),
                    f"retry ({retry:g}) and switch ({switch:g}) probabilities after abandoning "
                    f"{name!r} sum to {retry + switch:g} > 1",
                )
            )
    for name, ind in journeys.induced_demand.items():
        for source in ind.from_ or {}:
            channel((*base, "induced_demand", name, "from", source), source)
            if source == name:
                out.append(
                    (
                        (*base, "induced_demand", name, "from", source),
                        "a channel cannot shift volume from itself",
                    )
                )
    return out
