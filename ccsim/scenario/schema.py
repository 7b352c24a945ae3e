"""The scenario schema (format v1): frozen pydantic models with ``extra="forbid"``.

A :class:`Scenario` is immutable, serialisable data: it round-trips through YAML
(:func:`ccsim.scenario.dump_scenario`) and through JSON Schema for editors
(:func:`ccsim.scenario.json_schema`). Times are seconds and rates contacts per
hour once validated; users may write them with units (``5min``, ``120/h``).

Checks that involve more than one field (a pool's skill naming an undefined
channel, a per-interval list of the wrong length, ...) run once, in
:meth:`Scenario._cross_checks`, and report the exact field path of every problem.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from ccsim.distributions import Distribution
from ccsim.profiles import DAY, Calendar
from ccsim.scenario.common import (
    CrossFieldError,
    Frozen,
    Name,
    NonNegFloat,
    PositiveFloat,
    Problem,
)
from ccsim.scenario.journeys import Journeys, SelfService, check_journeys
from ccsim.scenario.workforce import DayName, Pool, check_pool, day_index
from ccsim.units import ClockTime, Duration, PositiveDuration, Probability, Rate, format_clock

__all__ = [
    "Arrivals",
    "Channel",
    "Costs",
    "CrossFieldError",
    "Horizon",
    "Pool",
    "Routing",
    "Scenario",
    "ServiceLevel",
]


# --- horizon ------------------------------------------------------------------------------


class Horizon(Frozen):
    """How long to simulate: a number of opening days, or one long steady-state run.

    A finite horizon has ``days``, ``open``, ``close`` and ``interval``. A
    steady-state horizon has ``duration`` and ``warmup`` (constant rates and
    staffing, always open); KPIs exclude contacts that arrive during the warm-up.
    """

    days: int | None = Field(default=None, ge=1, le=3660, strict=True, description="Opening days.")
    open: ClockTime | None = Field(default=None, description='Opening time, e.g. "08:00".')
    close: ClockTime | None = Field(default=None, description='Closing time, e.g. "20:00".')
    interval: PositiveDuration = Field(
        default=1800.0, description="Reporting and staffing interval [s] (default 30min)."
    )
    duration: PositiveDuration | None = Field(
        default=None, description="Steady state: simulated time after the warm-up [s]."
    )
    warmup: Duration | None = Field(
        default=None, description="Steady state: time discarded before measuring [s]."
    )
    start_day: DayName = Field(
        default="mon", description="Day of the week of the first day (mon ... sun)."
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("start_day"), str):
            day = data["start_day"].lower()
            data["start_day"] = day[:3] if len(day) > 3 else day
        if data.get("duration") is not None:
            extra = [k for k in ("days", "open", "close") if data.get(k) is not None]
            if extra:
                raise ValueError(
                    f"a steady-state horizon (duration) cannot also have {', '.join(extra)}; "
                    "use either days/open/close or duration/warmup"
                )
            data.setdefault("warmup", 0.0)
            data.setdefault("interval", 3600.0)
        else:
            if data.get("warmup") is not None:
                raise ValueError("warmup applies to a steady-state horizon; add duration")
            data.setdefault("days", 1)
            data.setdefault("open", "08:00")
            data.setdefault("close", "20:00")
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Horizon:
        if self.steady:
            return self
        assert self.open is not None and self.close is not None
        if self.close <= self.open:
            raise CrossFieldError(
                [
                    (
                        ("close",),
                        f"closing time {format_clock(self.close)} must be after opening time "
                        f"{format_clock(self.open)} (opening hours across midnight are not "
                        'supported; use "24:00" for a centre open until midnight)',
                    )
                ]
            )
        span = self.close - self.open
        n = span / self.interval
        if abs(n - round(n)) > 1e-9:
            raise CrossFieldError(
                [
                    (
                        ("interval",),
                        f"the interval ({self.interval:g} s) must divide the opening hours "
                        f"({format_clock(self.open)}-{format_clock(self.close)}, {span:g} s) "
                        "into whole intervals",
                    )
                ]
            )
        return self

    @property
    def steady(self) -> bool:
        """True for a steady-state run (``duration`` given)."""
        return self.duration is not None

    def calendar(self) -> Calendar:
        """The :class:`~ccsim.profiles.Calendar` of this horizon."""
        if self.steady:
            assert self.duration is not None and self.warmup is not None
            total = self.warmup + self.duration
            return Calendar(1, total, 0.0, total, self.interval, self.warmup, steady=True)
        assert self.days is not None and self.open is not None and self.close is not None
        return Calendar(
            self.days,
            DAY,
            self.open,
            self.close,
            self.interval,
            start_weekday=day_index(self.start_day),
        )


# --- channels -------------------------------------------------------------------------------


class ServiceLevel(Frozen):
    """A service-level target: a share of contacts answered within a time."""

    target: Probability = Field(default=0.8, description="Target share, e.g. 0.8.")
    within: Duration = Field(default=20.0, description="Answered within this wait [s].")


class Arrivals(Frozen):
    """Arrivals of a channel: a Poisson process whose rate varies by interval and day.

    Give exactly one of ``rate`` (constant), ``per_interval`` (one rate per interval
    of the day), ``daily_volume`` (expected contacts per day, spread by ``pattern``),
    ``file`` (a CSV of rates per interval) or ``times`` (fixed arrival times after
    opening, the same every day: a replay or a test). ``day_factors`` scale each day;
    ``overdispersion`` adds a gamma-distributed busyness factor per day with mean 1
    and this coefficient of variation (Avramidis, Deslauriers & L'Ecuyer 2004).
    """

    rate: Rate | None = Field(default=None, description="Constant rate [contacts/h].")
    per_interval: list[Rate] | None = Field(
        default=None, description="Rate per interval of the day [contacts/h]."
    )
    daily_volume: PositiveFloat | None = Field(
        default=None, description="Expected contacts per day, spread by pattern."
    )
    pattern: list[NonNegFloat] | None = Field(
        default=None, description="Relative weights per interval of the day (daily_volume)."
    )
    file: str | None = Field(
        default=None,
        description="CSV with one row per interval and a rate column [contacts/h]; "
        "read at load time and replaced by per_interval.",
    )
    column: str | None = Field(default=None, description="Rate column of the CSV file.")
    times: list[Duration] | None = Field(
        default=None,
        description="Fixed arrival times after opening [s], the same every day (no randomness).",
    )
    day_factors: list[NonNegFloat] | None = Field(
        default=None, description="Multiplier per day (one per day of the horizon)."
    )
    overdispersion: float = Field(
        default=0.0, ge=0, le=5, description="cv of a gamma busyness factor per day (0: Poisson)."
    )

    @model_validator(mode="before")
    @classmethod
    def _read_file(cls, data: Any, info: Any) -> Any:
        if isinstance(data, dict) and data.get("file") is not None:
            from ccsim.scenario.rates_csv import read_rates_csv

            base = (info.context or {}).get("base_dir") if info is not None else None
            data = dict(data)
            data["per_interval"] = read_rates_csv(
                data["file"], data.get("column"), base, data.get("per_interval")
            )
            data["file"] = None
            data["column"] = None
        return data

    @model_validator(mode="after")
    def _one_source(self) -> Arrivals:
        given = [
            k
            for k in ("rate", "per_interval", "daily_volume", "times")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of rate, per_interval, daily_volume, file or times"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.times is not None and (self.day_factors is not None or self.overdispersion):
            raise CrossFieldError(
                [(("times",), "fixed times cannot be combined with day_factors or overdispersion")]
            )
        if self.pattern is not None and self.daily_volume is None:
            raise CrossFieldError([(("pattern",), "pattern goes with daily_volume")])
        if self.rate is not None and self.rate <= 0:
            raise CrossFieldError(
                [(("rate",), "must be greater than 0 (remove the channel to switch it off)")]
            )
        if self.per_interval is not None and not any(r > 0 for r in self.per_interval):
            raise CrossFieldError([(("per_interval",), "at least one rate must be above 0")])
        if self.pattern is not None and not any(w > 0 for w in self.pattern):
            raise CrossFieldError([(("pattern",), "at least one weight must be above 0")])
        return self

    def base_rates(self, calendar: Calendar) -> np.ndarray:
        """Rate per interval of a day before day factors [contacts/h]."""
        k = calendar.intervals_per_day
        if self.rate is not None:
            return np.full(k, self.rate)
        if self.times is not None:
            edges = np.append(calendar.interval_starts(), calendar.close) - calendar.open
            counts = np.histogram(self.times, bins=edges)[0]
            return counts / (calendar.interval_lengths() / 3600.0)
        if self.per_interval is not None:
            return np.asarray(self.per_interval, dtype=float)
        assert self.daily_volume is not None
        weights = np.ones(k) if self.pattern is None else np.asarray(self.pattern, dtype=float)
        hours = calendar.interval_lengths() / 3600.0
        return self.daily_volume * weights / weights.sum() / hours

    def day_factor(self, day: int) -> float:
        """The configured multiplier of *day* (1 when none is given)."""
        return 1.0 if self.day_factors is None else self.day_factors[day]


ChannelKind = Literal["live", "chat", "deferred"]

#: Service-level target of a deferred channel when none is given: 90% within 24 business hours.
DEFERRED_SERVICE_LEVEL = {"target": 0.9, "within": 86400.0}


class Channel(Frozen):
    """A contact channel: its arrivals, its work and its service-level target.

    ``kind: live`` (voice, video): one contact per agent, customers abandon when
    their patience runs out. ``kind: chat``: an agent holds up to ``concurrency``
    chats; each extra chat held stretches handle times by ``concurrency_slowdown``.
    ``kind: deferred`` (email, social and WhatsApp messages): no abandonment; the
    backlog carries over to the next opening day; the service level counts the
    wait in opening hours only (default target: 90% within 24 business hours).
    """

    kind: ChannelKind = Field(default="live", description="live | chat | deferred")
    arrivals: Arrivals
    handle_time: Distribution = Field(description="Handle (talk) time distribution [s].")
    wrap_up: Distribution | None = Field(
        default=None, description="After-contact work [s]; the agent stays busy (default 0)."
    )
    patience: Distribution | None = Field(
        default=None, description="Time a customer waits before abandoning [s]; absent: never."
    )
    service_level: ServiceLevel = Field(default_factory=ServiceLevel)
    concurrency: int = Field(
        default=1, ge=1, le=20, strict=True, description="Chat: contacts held at once."
    )
    concurrency_slowdown: float = Field(
        default=0.0, ge=0, le=5, description="Chat: +share of handle time per extra chat held."
    )

    @model_validator(mode="before")
    @classmethod
    def _deferred_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") == "deferred":
            data = dict(data)
            data.setdefault("service_level", dict(DEFERRED_SERVICE_LEVEL))
        return data


# --- routing and costs ---------------------------------------------------------------------


AGENT_SELECTION = ("longest_idle", "specialists_first")


class Routing(Frozen):
    """Routing policies, by name.

    ``agent_selection`` decides which idle agent takes an arriving contact:
    ``longest_idle`` (across every pool with the skill) or ``specialists_first``
    (pools where the channel has the best priority and that have the fewest skills
    first, then longest idle). ``chat_assignment`` decides how chats are spread over
    agents. When an agent frees up it always takes the waiting contact of its
    best-priority skill, oldest first.
    """

    agent_selection: Literal["longest_idle", "specialists_first"] = Field(
        default="longest_idle", description="Which available agent takes an arriving contact."
    )
    deferred_when_no_live_waiting: bool = Field(
        default=True,
        description="An agent takes deferred work (email) only while no live or chat contact "
        "of its pool's skills waits.",
    )
    live_reserve: int = Field(
        default=0,
        ge=0,
        strict=True,
        description="Deferred work is taken only while at least this many other agents of the "
        "pool stay idle for live contacts.",
    )
    chat_assignment: Literal["fill", "spread"] = Field(
        default="fill",
        description="fill: a new chat goes to an agent already chatting (below concurrency) "
        "before an idle one, keeping idle agents free for calls; spread: to the agent "
        "holding the fewest chats.",
    )


class Telephony(Frozen):
    """Telephony cost of live channels (voice), per minute connected."""

    talk_per_minute: NonNegFloat = Field(default=0.0, description="Per minute of talk.")
    wait_per_minute: NonNegFloat = Field(default=0.0, description="Per minute of waiting.")


class CustomerCosts(Frozen):
    """What poor service costs the customer (or the business through them).

    Not part of the operating cost; added to it in ``economic_cost`` for an
    economic objective (Whitt 2006, *POM* 15:88-102).
    """

    per_abandoned: NonNegFloat = Field(default=0.0, description="Per abandoned contact.")
    per_minute_waited: NonNegFloat = Field(
        default=0.0, description="Per minute waited (answered and abandoned contacts)."
    )


class Costs(Frozen):
    """Cost settings: labour is set per pool (``cost_per_hour``); these are the rest."""

    currency: str = Field(default="EUR", max_length=8)
    self_service_per_contact: float = Field(
        default=0.0, ge=0, description="Cost of a contact entering self-service (default)."
    )
    telephony: Telephony = Field(default_factory=Telephony)
    customer: CustomerCosts = Field(default_factory=CustomerCosts)


# --- the scenario ----------------------------------------------------------------------------


class Scenario(Frozen):
    """A contact centre and how to simulate it (scenario format v1)."""

    name: str = Field(min_length=1, max_length=200, description="Scenario name.")
    description: str = Field(default="", description="Free text.")
    seed: int = Field(default=1, ge=0, description="Root seed of the random streams.")
    replications: int = Field(
        default=10, ge=1, le=1_000_000, strict=True, description="Replications."
    )
    horizon: Horizon = Field(default_factory=Horizon)
    channels: dict[Name, Channel] = Field(min_length=1)
    pools: dict[Name, Pool] = Field(min_length=1)
    routing: Routing = Field(default_factory=Routing)
    costs: Costs = Field(default_factory=Costs)
    self_service: dict[Name, SelfService] = Field(
        default_factory=dict, description="Self-service stage in front of a channel."
    )
    journeys: Journeys = Field(default_factory=Journeys)

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        cal = self.horizon.calendar()
        problems += _check_channels(self, cal)
        problems += _check_pools(self, cal)
        problems += check_journeys(
            self.journeys,
            self.self_service,
            {n: c.kind for n, c in self.channels.items()},
            {n: c.patience is not None for n, c in self.channels.items()},
        )
        if not problems:
            problems += _check_induced(self, cal)
        if problems:
            raise CrossFieldError(problems)
        return self

    @property
    def calendar(self) -> Calendar:
        """The horizon's calendar."""
        return self.horizon.calendar()

    def base_rates(self) -> dict[str, np.ndarray]:
        """Arrival rate per channel and interval of the day [contacts/h], before day factors.

        Volume shifted to a channel under ``journeys.induced_demand`` is taken out of
        the channels it came from.
        """
        cal = self.calendar
        rates = {name: ch.arrivals.base_rates(cal).copy() for name, ch in self.channels.items()}
        for name, induced in self.journeys.induced_demand.items():
            shifted = (1.0 - induced.new) * rates[name]
            weights = induced.from_ or {
                other: float(rates[other].sum()) for other in rates if other != name
            }
            total = sum(weights.values())
            for source, weight in weights.items():
                if total > 0:
                    rates[source] = rates[source] - shifted * (weight / total)
        return rates

    def pools_serving(self, channel: str) -> list[str]:
        """Names of the pools with *channel* among their skills."""
        return [name for name, pool in self.pools.items() if channel in pool.skills]


def _check_channels(sc: Scenario, cal: Calendar) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    k = cal.intervals_per_day
    for name, ch in sc.channels.items():
        base: tuple[str | int, ...] = ("channels", name)
        arr = ch.arrivals
        if cal.steady and arr.rate is None and arr.times is None:
            out.append(((*base, "arrivals"), "a steady-state horizon needs a constant rate"))
        if arr.times is not None:
            late = [t for t in arr.times if t >= cal.close - cal.open]
            if late:
                out.append(
                    (
                        (*base, "arrivals", "times"),
                        f"{len(late)} time(s) fall after closing (the day is open for "
                        f"{cal.close - cal.open:g} s after opening)",
                    )
                )
        for field in ("per_interval", "pattern"):
            values = getattr(arr, field)
            if values is not None and not cal.steady and len(values) != k:
                out.append(
                    (
                        (*base, "arrivals", field),
                        f"has {len(values)} entries but the day has {k} intervals "
                        f"({format_clock(cal.open)}-{format_clock(cal.close)} in steps of "
                        f"{cal.interval:g} s)",
                    )
                )
        if arr.day_factors is not None and len(arr.day_factors) != cal.days:
            out.append(
                (
                    (*base, "arrivals", "day_factors"),
                    f"has {len(arr.day_factors)} entries but the horizon has {cal.days} days",
                )
            )
        if ch.kind == "deferred" and ch.patience is not None:
            out.append(
                (
                    (*base, "patience"),
                    "a deferred channel (email, messages) has no "
                    "patience: customers do not abandon it",
                )
            )
        if ch.kind != "chat":
            defaults = {"concurrency": 1, "concurrency_slowdown": 0.0}
            for field, default in defaults.items():
                if getattr(ch, field) != default:
                    out.append(((*base, field), f"applies to kind: chat only (this is {ch.kind})"))
        if not sc.pools_serving(name):
            out.append((base, f"no pool has the skill {name!r}: add it to a pool's skills"))
    return out


def _check_pools(sc: Scenario, cal: Calendar) -> list[Problem]:
    out: list[Problem] = []
    for name, pool in sc.pools.items():
        out += check_pool(name, pool, sc.channels, cal)
    return out


def _check_induced(sc: Scenario, cal: Calendar) -> list[tuple[tuple[str | int, ...], str]]:
    """Shifting volume must not drive a source channel's rate below zero."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    if not sc.journeys.induced_demand:
        return out
    starts = cal.interval_starts()
    for name, rates in sc.base_rates().items():
        bad = np.flatnonzero(rates < -1e-9)
        if len(bad):
            k = int(bad[0])
            out.append(
                (
                    ("journeys", "induced_demand"),
                    f"the volume shifted away leaves channel {name!r} a negative rate "
                    f"({rates[k]:.1f}/h) in the interval from {format_clock(starts[k])}; "
                    "lower the shifted share or raise its rate",
                )
            )
    return out
