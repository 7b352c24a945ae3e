"""Record tables as pandas DataFrames with readable categories."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.analysis.kpis import derive
from ccsim.records import ANSWERED, OUTCOMES, RunRecords

__all__ = ["contacts_frame"]


def _categorical(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=list(names))


def contacts_frame(records: RunRecords) -> pd.DataFrame:
    """One row per contact (fields documented in :data:`ccsim.records.CONTACT_FIELDS`)."""
    c = records.contacts
    d = derive(records)
    answered = c["outcome"] == ANSWERED
    end = np.where(answered, c["answer"] + c["handle"], c["end"])
    return pd.DataFrame(
        {
            "id": np.arange(records.n_contacts, dtype=np.int64),
            "channel": _categorical(c["channel"], records.channels),
            "arrival": c["arrival"],
            "answer": c["answer"],
            "end": end,
            "outcome": _categorical(c["outcome"], list(OUTCOMES)),
            "pool": _categorical(c["pool"], records.pools),
            "agent": c["agent"].astype(np.int32),
            "wait": d.wait,
            "handle": c["handle"],
            "wrap": np.where(answered, c["wrap"], np.nan),
        }
    )
