"""Scenario schema for the workforce: shifts, breaks, absenteeism and costs (format v1).

A pool's staffing is either ``agents`` (a number, one number per interval of the
day, or a profile per day of the week) or ``shifts``. A shift has a start and end
time, a number of agents, the days of the week it runs, and breaks: each break
has a duration and a window (earliest start, latest end); the agents of a shift
take it at start times staggered evenly over the window, so a pool is never
emptied by a break rule.

On top of the schedule, ``absenteeism`` makes each scheduled agent absent for
the whole day with that probability (``absent_paid`` says whether absent agents
are paid), and ``shrinkage`` removes a further share of the remaining time
(training, meetings: shrinkage not modelled by breaks or absence).
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from ccsim.profiles import Calendar
from ccsim.scenario.common import CrossFieldError, Frozen, Name, NonNegFloat, PositiveFloat, Problem
from ccsim.units import ClockTime, PositiveDuration, format_clock

__all__ = ["DAY_NAMES", "Break", "DayName", "Pool", "Shift", "check_pool", "day_index"]

_Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

#: Day names accepted in ``days:`` lists, Monday first.
DAY_NAMES: tuple[_Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}

DayName = Annotated[
    _Day,
    WithJsonSchema(
        {
            "enum": [*DAY_NAMES, *_LONG],
            "description": "A day of the week: mon ... sun (or monday ... sunday).",
        }
    ),
]


def day_index(name: str) -> int:
    """0 for Monday ... 6 for Sunday; accepts ``mon`` and ``monday``."""
    short = _LONG.get(name.lower(), name.lower())
    return DAY_NAMES.index(short)


class Break(Frozen):
    """A break (or lunch) each agent of a shift takes once, within a window."""

    name: str = Field(default="break", max_length=40)
    duration: PositiveDuration = Field(description="Length of the break [s].")
    earliest: ClockTime = Field(description="Earliest start of the break.")
    latest: ClockTime = Field(description="Latest end of the break.")
    paid: bool = Field(default=True, description="Whether the break is paid time.")

    @model_validator(mode="after")
    def _fits(self) -> Break:
        if self.latest - self.earliest < self.duration:
            raise ValueError(
                f"the window {format_clock(self.earliest)}-{format_clock(self.latest)} is "
                f"shorter than the break ({self.duration / 60:g} min)"
            )
        return self


class Shift(Frozen):
    """A group of agents working the same hours on the same days."""

    name: str = Field(default="shift", max_length=40)
    start: ClockTime = Field(description='Start of the shift, e.g. "07:30".')
    end: ClockTime = Field(description='End of the shift, e.g. "16:00".')
    agents: Annotated[int, Field(ge=0, strict=True)] = Field(description="Agents on the shift.")
    days: list[DayName] | None = Field(
        default=None, description="Days of the week it runs (mon ... sun); default every day."
    )
    breaks: list[Break] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _day_names(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("days"), list):
            data = dict(data)
            data["days"] = [
                _LONG.get(d.lower(), d.lower()) if isinstance(d, str) else d for d in data["days"]
            ]
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Shift:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if self.end <= self.start:
            problems.append(
                (
                    ("end",),
                    f"the shift ends ({format_clock(self.end)}) before it starts "
                    f"({format_clock(self.start)}); shifts across midnight are not supported",
                )
            )
        for i, b in enumerate(self.breaks):
            if b.earliest < self.start or b.latest > self.end:
                problems.append(
                    (
                        ("breaks", i),
                        f"the window {format_clock(b.earliest)}-"
                        f"{format_clock(b.latest)} lies outside the shift "
                        f"{format_clock(self.start)}-{format_clock(self.end)}",
                    )
                )
        windows = sorted((b.earliest, b.latest, i) for i, b in enumerate(self.breaks))
        for (_, end_a, a), (start_b, _, i) in itertools.pairwise(windows):
            if start_b < end_a:
                problems.append(
                    (
                        ("breaks", i),
                        f"its window overlaps that of break {a}: an agent could "
                        "be due for both at once",
                    )
                )
        if len(set(self.days or [])) != len(self.days or []):
            problems.append((("days",), "a day is listed twice"))
        if problems:
            raise CrossFieldError(problems)
        return self

    def runs_on(self, weekday: int) -> bool:
        """Whether the shift runs on *weekday* (0 = Monday)."""
        return self.days is None or DAY_NAMES[weekday] in self.days

    def break_starts(self) -> list[tuple[float, float, bool]]:
        """For each agent and break: ``(start [s after midnight], duration [s], paid)``.

        The agents' starts are staggered evenly over the window, the first at its
        earliest start and the last so that it ends at the window's latest end.
        """
        out: list[tuple[float, float, bool]] = []
        for b in self.breaks:
            slack = b.latest - b.duration - b.earliest
            for k in range(self.agents):
                offset = 0.0 if self.agents == 1 else slack * k / (self.agents - 1)
                out.append((b.earliest + offset, b.duration, b.paid))
        return out


def _skills_from_list(value: Any) -> Any:
    if isinstance(value, list):
        return dict.fromkeys(value, 1)
    return value


Skills = Annotated[
    dict[Name, Annotated[int, Field(ge=0, le=1000)]],
    BeforeValidator(_skills_from_list),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
                {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 0},
                    "minProperties": 1,
                },
            ],
            "description": "Channels served: a list (equal priority), or "
            "{channel: priority} (lower is served first).",
        }
    ),
]
Count = Annotated[int, Field(ge=0, strict=True)]
Agents = Annotated[int, Field(ge=1, strict=True)] | list[Count] | dict[DayName, int | list[Count]]


class Pool(Frozen):
    """A group of agents with the same skills, schedule and cost.

    ``skills`` is a list of channels (served with equal priority) or a map from
    channel to priority (lower is served first when an agent frees up). The
    schedule is ``agents`` (a number; one number per interval of the day; or such
    a number or list per day of the week) or ``shifts``.
    """

    skills: Skills = Field(min_length=1, description="Channels served.")
    agents: Agents | None = Field(
        default=None,
        description="Scheduled agents: a number, one per interval of the day, or a "
        "profile per day of the week ({mon: [...], ...}; days left out have none).",
    )
    shifts: list[Shift] | None = Field(default=None, description="Shifts (instead of agents).")
    shrinkage: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="Share of the remaining scheduled time off the phones (training, "
        "meetings), in [0, 1).",
    )
    absenteeism: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="Probability that a scheduled agent is absent for the day, in [0, 1).",
    )
    absent_paid: bool = Field(default=True, description="Whether absent agents are paid.")
    efficiency: dict[Name, PositiveFloat] = Field(
        default_factory=dict, description="Handle-time multiplier per channel (default 1)."
    )
    cost_per_hour: NonNegFloat = Field(default=0.0, description="Cost of a paid agent hour.")
    max_occupancy: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Keep agents from taking new contacts while the pool's occupancy over "
        "the last interval is above this (forced rest after each contact).",
    )

    @model_validator(mode="after")
    def _one_schedule(self) -> Pool:
        if (self.agents is None) == (self.shifts is None):
            raise ValueError("give either agents or shifts (exactly one)")
        return self

    def agents_per_interval(self, calendar: Calendar, weekday: int = 0) -> np.ndarray:
        """Scheduled agents per interval of a day (the day's weekday, 0 = Monday).

        For shifts, an agent counts in an interval in proportion to the part of the
        interval the shift covers (breaks not deducted).
        """
        k = calendar.intervals_per_day
        if self.shifts is not None:
            starts = calendar.interval_starts()
            ends = starts + calendar.interval_lengths()
            out = np.zeros(k)
            for shift in self.shifts:
                if shift.runs_on(weekday):
                    cover = np.clip(
                        np.minimum(ends, shift.end) - np.maximum(starts, shift.start), 0, None
                    )
                    out += shift.agents * cover / (ends - starts)
            return out
        agents = self.agents
        if isinstance(agents, dict):
            agents = agents.get(DAY_NAMES[weekday], 0)
        if isinstance(agents, int):
            return np.full(k, agents, dtype=float)
        return np.asarray(agents, dtype=float)


def check_pool(name: str, pool: Pool, channels: dict[str, Any], cal: Calendar) -> list[Problem]:
    """Cross-field problems of one pool: unknown skills, list lengths, steady-state limits."""
    out: list[Problem] = []
    base: tuple[str | int, ...] = ("pools", name)
    known = ", ".join(channels)
    for skill in pool.skills:
        if skill not in channels:
            out.append(((*base, "skills", skill), f"unknown channel {skill!r}; channels: {known}"))
    for skill in pool.efficiency:
        if skill not in pool.skills:
            out.append(
                (
                    (*base, "efficiency", skill),
                    f"{skill!r} is not a skill of this pool; skills: {', '.join(pool.skills)}",
                )
            )
    if cal.steady and (pool.shifts is not None or not isinstance(pool.agents, int)):
        out.append(((*base, "agents"), "a steady-state horizon needs a constant number of agents"))
        return out
    lists: list[tuple[tuple[str | int, ...], list[int]]] = []
    if isinstance(pool.agents, list):
        lists.append(((*base, "agents"), pool.agents))
    elif isinstance(pool.agents, dict):
        lists += [((*base, "agents", d), v) for d, v in pool.agents.items() if isinstance(v, list)]
    for path, values in lists:
        if len(values) != cal.intervals_per_day:
            out.append(
                (
                    path,
                    f"has {len(values)} entries but the day has {cal.intervals_per_day} "
                    f"intervals ({format_clock(cal.open)}-{format_clock(cal.close)} in steps "
                    f"of {cal.interval / 60:g} min)",
                )
            )
    return out
