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
    "CONTACT_FIELDS",
    "OUTCOMES",
    "RecordField",
    "RunRecords",
]

#: Contact outcome codes, in the order of their integer code.
OUTCOMES = ("in_system", "answered", "abandoned", "deflected")
IN_SYSTEM, ANSWERED, ABANDONED, DEFLECTED = range(4)


@dataclass(frozen=True, slots=True)
class RecordField:
    """One column of a record table."""

    name: str
    dtype: str
    unit: str
    description: str


CONTACT_FIELDS: tuple[RecordField, ...] = (
    RecordField("id", "int64", "", "Contact number within the replication (row order)."),
    RecordField("channel", "category", "", "Channel the contact arrived on."),
    RecordField(
        "arrival", "float64", "s", "Time the contact joined the queue (after any self-service)."
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
        Scheduled (paid) agents per pool and interval, shape (pools, intervals).
    end_time
        Simulation clock when the run stopped [s].
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
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def n_contacts(self) -> int:
        """Number of contacts recorded."""
        return len(self.contacts["arrival"])
