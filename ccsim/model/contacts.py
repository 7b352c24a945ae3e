"""The contacts of a run, as columns.

A contact is a row number into compact :class:`array.array` columns, not an
object: creating a million contacts costs a few array appends each, and the
columns become numpy arrays without copying at the end of the run.
Per-contact random attributes (base handle time, wrap-up, patience) are written
in blocks when arrivals are generated, so the hot path only reads them.
"""

from __future__ import annotations

from array import array

import numpy as np

from ccsim.records import IN_SYSTEM

__all__ = ["ContactTable"]

_NAN = float("nan")

# name -> array typecode. 'channel' etc. hold small integer codes.
_COLUMNS = {
    "arrival": "d",
    "channel": "h",
    "base_handle": "d",
    "wrap": "d",
    "patience": "d",
    "answer": "d",
    "end": "d",
    "handle": "d",
    "outcome": "b",
    "pool": "h",
    "agent": "i",
}


class ContactTable:
    """Columns of per-contact state and results, indexed by contact id."""

    __slots__ = tuple(_COLUMNS)

    arrival: array[float]
    channel: array[int]
    base_handle: array[float]
    wrap: array[float]
    patience: array[float]
    answer: array[float]
    end: array[float]
    handle: array[float]
    outcome: array[int]
    pool: array[int]
    agent: array[int]

    def __init__(self) -> None:
        for name, code in _COLUMNS.items():
            setattr(self, name, array(code))

    def __len__(self) -> int:
        return len(self.arrival)

    def add_block(
        self,
        channel: int,
        arrival: np.ndarray,
        base_handle: np.ndarray,
        wrap: np.ndarray,
        patience: np.ndarray,
    ) -> int:
        """Append ``len(arrival)`` new contacts of *channel*; return the first id."""
        first = len(self.arrival)
        n = len(arrival)
        self.arrival.frombytes(np.asarray(arrival, dtype=np.float64).tobytes())
        self.base_handle.frombytes(np.asarray(base_handle, dtype=np.float64).tobytes())
        self.wrap.frombytes(np.asarray(wrap, dtype=np.float64).tobytes())
        self.patience.frombytes(np.asarray(patience, dtype=np.float64).tobytes())
        self.channel.frombytes(np.full(n, channel, dtype=np.int16).tobytes())
        nan = np.full(n, _NAN).tobytes()
        self.answer.frombytes(nan)
        self.end.frombytes(nan)
        self.handle.frombytes(nan)
        self.outcome.frombytes(np.full(n, IN_SYSTEM, dtype=np.int8).tobytes())
        self.pool.frombytes(np.full(n, -1, dtype=np.int16).tobytes())
        self.agent.frombytes(np.full(n, -1, dtype=np.int32).tobytes())
        return first

    def columns(self) -> dict[str, np.ndarray]:
        """The columns as numpy arrays (views on the same memory)."""
        out: dict[str, np.ndarray] = {}
        for name, code in _COLUMNS.items():
            col = getattr(self, name)
            dtype = {"d": np.float64, "h": np.int16, "b": np.int8, "i": np.int32}[code]
            out[name] = np.frombuffer(col, dtype=dtype) if len(col) else np.empty(0, dtype)
        return out
