"""Record tables as pandas DataFrames with readable categories."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.analysis.derive import derive
from ccsim.records import ANSWERED, CAUSES, NEXTS, OUTCOMES, RunRecords

__all__ = ["contacts_frame"]


def _categorical(codes: np.ndarray, names: list[str]) -> pd.Categorical[str]:
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index(names))


def contacts_frame(records: RunRecords) -> pd.DataFrame:
    """One row per contact (fields documented in :data:`ccsim.records.CONTACT_FIELDS`)."""
    c = records.contacts
    d = derive(records)
    answered = c["outcome"] == ANSWERED
    end = np.where(answered, c["answer"] + c["handle"], c["end"])
    return pd.DataFrame(
        {
            "id": np.arange(records.n_contacts, dtype=np.int64),
            "issue": c["issue"].astype(np.int64),
            "attempt": c["attempt"].astype(np.int16),
            "cause": _categorical(c["cause"], list(CAUSES)),
            "channel": _categorical(c["channel"], records.channels),
            "previous_channel": _categorical(c["prev_channel"], records.channels),
            "previous_pool": _categorical(c["prev_pool"], records.pools),
            "entered": c["entered"],
            "self_service": _categorical(c["selfserv"], ["none", "contained", "escalated"]),
            "arrival": c["arrival"],
            "answer": c["answer"],
            "end": end,
            "outcome": _categorical(c["outcome"], list(OUTCOMES)),
            "pool": _categorical(c["pool"], records.pools),
            "agent": c["agent"].astype(np.int32),
            "wait": d.wait,
            "handle": c["handle"],
            "wrap": np.where(answered, c["wrap"], np.nan),
            "next": _categorical(c["next"], list(NEXTS)),
        }
    )
