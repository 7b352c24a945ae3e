"""The contacts of a run, as columns.

A contact is a row number into compact :class:`array.array` columns, not an
object: creating a million contacts costs a few array appends each, and the
columns become numpy arrays without copying at the end of the run. Per-contact
random attributes (base handle time, wrap-up, patience, self-service outcome,
journey draws) are written in blocks when arrivals are generated, so the hot
path only reads them.
"""

from __future__ import annotations

from array import array

import numpy as np

from ccsim.records import CAUSE_NEW, IN_SYSTEM, NEXT_NONE

__all__ = ["COLUMNS", "ContactTable"]

_NAN = float("nan")

#: name -> (array typecode, value for a new row when not given)
COLUMNS: dict[str, tuple[str, float]] = {
    "entered": ("d", _NAN),  # time the contact reached the channel (before self-service)
    "arrival": ("d", _NAN),  # time it joined the agent queue
    "channel": ("h", 0),
    "base_handle": ("d", _NAN),
    "wrap": ("d", 0.0),
    "patience": ("d", float("inf")),
    "ss_time": ("d", 0.0),  # time spent in self-service
    "contained": ("b", 0),  # self-service resolves it (drawn in advance)
    "selfserv": ("b", 0),  # 0: no self-service, 1: contained by it, 2: escalated to agents
    "u_abandon": ("d", 1.0),  # journey draw used if it abandons
    "u_answer": ("d", 1.0),  # journey draw used if it is answered
    "answer": ("d", _NAN),
    "end": ("d", _NAN),
    "handle": ("d", _NAN),
    "outcome": ("b", IN_SYSTEM),
    "pool": ("h", -1),
    "agent": ("i", -1),
    "issue": ("i", -1),
    "attempt": ("h", 1),
    "cause": ("b", CAUSE_NEW),
    "prev_channel": ("h", -1),
    "prev_pool": ("h", -1),
    "ctx_pool": ("h", -1),  # pool and agent that last handled the issue before this contact
    "ctx_agent": ("i", -1),
    "next": ("b", NEXT_NONE),  # what the journey decided after this contact
}
_DTYPES = {"d": np.float64, "h": np.int16, "b": np.int8, "i": np.int32}


class ContactTable:
    """Columns of per-contact state and results, indexed by contact id."""

    __slots__ = ("_n_issues", *COLUMNS)

    entered: array[float]
    arrival: array[float]
    channel: array[int]
    base_handle: array[float]
    wrap: array[float]
    patience: array[float]
    ss_time: array[float]
    contained: array[int]
    selfserv: array[int]
    u_abandon: array[float]
    u_answer: array[float]
    answer: array[float]
    end: array[float]
    handle: array[float]
    outcome: array[int]
    pool: array[int]
    agent: array[int]
    issue: array[int]
    attempt: array[int]
    cause: array[int]
    prev_channel: array[int]
    prev_pool: array[int]
    ctx_pool: array[int]
    ctx_agent: array[int]
    next: array[int]

    def __init__(self) -> None:
        for name, (code, _) in COLUMNS.items():
            setattr(self, name, array(code))
        self._n_issues = 0

    def __len__(self) -> int:
        return len(self.outcome)

    @property
    def n_issues(self) -> int:
        """Number of issues opened so far."""
        return self._n_issues

    def add_block(self, channel: int, entered: np.ndarray, **given: np.ndarray) -> int:
        """Append ``len(entered)`` new contacts, each opening a new issue; return the first id.

        Columns not in *given* get their default value.
        """
        first = len(self)
        n = len(entered)
        given["entered"] = entered
        given["channel"] = np.full(n, channel)
        given["issue"] = np.arange(self._n_issues, self._n_issues + n)
        self._n_issues += n
        for name, (code, default) in COLUMNS.items():
            values = given.get(name)
            block = np.full(n, default) if values is None else values
            getattr(self, name).frombytes(np.asarray(block, dtype=_DTYPES[code]).tobytes())
        return first

    def add_one(self, **values: float) -> int:
        """Append one contact (a later contact of an existing issue); return its id."""
        cid = len(self)
        for name, (_code, default) in COLUMNS.items():
            getattr(self, name).append(values.get(name, default))
        return cid

    def take_columns(self) -> dict[str, np.ndarray]:
        """Move the columns into numpy arrays of their own and empty the table.

        The model is a web of reference cycles (environment, agents, callbacks) that
        Python frees only at a full collection; handing the memory over column by
        column lets the records be freed as soon as they are dropped, at the cost of
        one column's copy at a time.
        """
        out = {}
        for name, (code, _) in COLUMNS.items():
            column = getattr(self, name)
            out[name] = (
                np.frombuffer(column, dtype=_DTYPES[code]).copy()
                if len(column)
                else (np.empty(0, _DTYPES[code]))
            )
            del column[:]
        return out
