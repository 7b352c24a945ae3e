"""Record schemas: what a simulation run writes, field by field.

The model only appends records; every KPI is computed from them afterwards by
:mod:`ccsim.analysis`. This module is the single source of truth for field
names, types, units and meaning, used by the recorder, the DataFrame conversion
and the reference documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ccsim.profiles import Calendar

__all__ = [
    "CAUSES",
    "CONTACT_FIELDS",
    "ISSUE_OUTCOMES",
    "NEXTS",
    "OUTCOMES",
    "RecordField",
    "RunRecords",
]

#: Contact outcome codes, in the order of their integer code.
OUTCOMES = ("in_system", "answered", "abandoned", "deflected")
IN_SYSTEM, ANSWERED, ABANDONED, DEFLECTED = range(4)

#: Why a contact exists: a new issue, or a later contact about an existing one.
CAUSES = ("new", "retry", "switch", "follow_up", "repeat")
CAUSE_NEW, CAUSE_RETRY, CAUSE_SWITCH, CAUSE_FOLLOW_UP, CAUSE_REPEAT = range(5)

#: What the journey decided after a contact (``next`` column).
NEXTS = ("none", "resolved", "follow_up", "repeat", "retry", "switch", "lost", "open")
(
    NEXT_NONE,
    NEXT_RESOLVED,
    NEXT_FOLLOW_UP,
    NEXT_REPEAT,
    NEXT_RETRY,
    NEXT_SWITCH,
    NEXT_LOST,
    NEXT_OPEN,
) = range(8)

#: Issue outcomes.
ISSUE_OUTCOMES = ("open", "resolved", "lost")


@dataclass(frozen=True, slots=True)
class RecordField:
    """One column of a record table."""

    name: str
    dtype: str
    unit: str
    description: str


CONTACT_FIELDS: tuple[RecordField, ...] = (
    RecordField("id", "int64", "", "Contact number within the replication (row order)."),
    RecordField("issue", "int64", "", "Issue (customer question) the contact is about."),
    RecordField("attempt", "int16", "", "1 for the first contact of the issue, then 2, 3, ..."),
    RecordField("cause", "category", "", "new, retry, switch, follow_up or repeat."),
    RecordField("channel", "category", "", "Channel the contact arrived on."),
    RecordField(
        "previous_channel",
        "category",
        "",
        "Channel of the issue's previous contact; empty if none.",
    ),
    RecordField(
        "previous_pool",
        "category",
        "",
        "Pool that handled the issue's previous contact; empty if none or not handled.",
    ),
    RecordField("entered", "float64", "s", "Time the contact reached the channel."),
    RecordField(
        "self_service",
        "category",
        "",
        "none, contained (resolved by self-service: deflected) or escalated (passed to agents).",
    ),
    RecordField(
        "arrival",
        "float64",
        "s",
        "Time the contact joined the agent queue (after any self-service).",
    ),
    RecordField("answer", "float64", "s", "Time an agent took it; NaN if never answered."),
    RecordField(
        "end",
        "float64",
        "s",
        "Time the customer left: end of handling (answered) or of waiting (abandoned); "
        "NaN while in the system.",
    ),
    RecordField("outcome", "category", "", "answered, abandoned, deflected or in_system."),
    RecordField("pool", "category", "", "Pool of the agent who answered; empty if none."),
    RecordField("agent", "int32", "", "Agent number within the pool; -1 if none."),
    RecordField(
        "wait",
        "float64",
        "s",
        "Time waited: until answered or until abandoning; NaN while still waiting.",
    ),
    RecordField(
        "handle",
        "float64",
        "s",
        "Handle time actually spent (after efficiency and chat slowdown); NaN if not answered.",
    ),
    RecordField("wrap", "float64", "s", "After-contact work of the agent; NaN if not answered."),
    RecordField(
        "next",
        "category",
        "",
        "What followed: resolved, follow_up, repeat, retry, switch, lost (gave up), "
        "open (the next contact would fall after the horizon) or none (still in the system).",
    ),
)


@dataclass(slots=True)
class RunRecords:
    """Everything one replication recorded, as plain numpy arrays.

    Attributes
    ----------
    contacts
        Contact columns by field name (see :data:`CONTACT_FIELDS`); ``channel``,
        ``outcome`` and ``pool`` hold integer codes into :attr:`channels`,
        :data:`OUTCOMES` and :attr:`pools` (-1: none).
    channels, pools
        Names in code order.
    calendar
        The horizon's days and intervals.
    staffing_time, staffing_pool, staffing_delta
        Log of agents coming on (+1) and going off (-1) duty: time [s], pool code.
    scheduled
        Scheduled agents per pool and interval (interval average), shape (pools, intervals).
    end_time
        Simulation clock when the run stopped [s].
    scheduled_seconds, paid_seconds, absent_seconds, break_seconds, shrinkage_seconds
        Per pool: scheduled agent time (whole shifts), planned paid time (before
        overtime), scheduled time lost to absence, time on breaks, time lost to
        planned shrinkage (expected) [s].
    breaks
        Breaks taken: ``pool``, ``agent``, ``due``, ``start``, ``end`` [s].
    """

    contacts: dict[str, np.ndarray]
    channels: list[str]
    pools: list[str]
    calendar: Calendar
    staffing_time: np.ndarray
    staffing_pool: np.ndarray
    staffing_delta: np.ndarray
    scheduled: np.ndarray
    end_time: float
    scheduled_seconds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    paid_seconds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    absent_seconds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    break_seconds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    shrinkage_seconds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    breaks: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def n_contacts(self) -> int:
        """Number of contacts recorded."""
        return len(self.contacts["arrival"])
