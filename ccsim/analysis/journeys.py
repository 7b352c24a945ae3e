"""Issues and journeys: what happened to each customer question across its contacts.

An issue's contacts form a chain (each contact leads to at most one later
contact), so its outcome is read from its last contact:

* deflected by self-service, or answered and resolved: **resolved** (at the end of
  that contact);
* abandoned without a retry or switch, or answered but unresolved with no repeat:
  **lost** (the customer gave up);
* still in the system at the end of the run, or its next contact would fall
  after the horizon: **open**.

Definitions (per replication, issues created after any warm-up):

* ``contacts_per_issue`` = contacts / issues;
* ``first_contact_resolution`` = issues resolved by their first contact / issues;
* ``resolved``, ``lost``, ``open`` = shares of issues;
* ``resolution_time`` = mean time from the issue's first contact to its resolution [s];
* ``switched`` = share of issues with contacts on more than one channel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsim.records import (
    ABANDONED,
    ANSWERED,
    DEFLECTED,
    IN_SYSTEM,
    NEXT_LOST,
    NEXT_NONE,
    NEXT_OPEN,
    NEXT_RESOLVED,
    RunRecords,
)

__all__ = ["JOURNEY_METRICS", "flows", "issue_table", "journey_metrics"]

JOURNEY_METRICS = (
    "issues",
    "contacts_per_issue",
    "first_contact_resolution",
    "resolved",
    "lost",
    "open",
    "resolution_time",
    "switched",
)
RESOLVED, LOST, OPEN = 1, 2, 0


def _outcome_of_last(outcome: np.ndarray, nxt: np.ndarray) -> np.ndarray:
    out = np.full(len(outcome), OPEN, dtype=np.int8)
    resolved = (outcome == DEFLECTED) | (
        (outcome == ANSWERED) & ((nxt == NEXT_RESOLVED) | (nxt == NEXT_NONE))
    )
    lost = ((outcome == ABANDONED) & ((nxt == NEXT_NONE) | (nxt == NEXT_LOST))) | (
        (outcome == ANSWERED) & (nxt == NEXT_LOST)
    )
    out[resolved] = RESOLVED
    out[lost] = LOST
    out[(outcome == IN_SYSTEM) | (nxt == NEXT_OPEN)] = OPEN
    return out


def issue_table(records: RunRecords) -> pd.DataFrame:
    """One row per issue: first and last channel, creation, contacts, outcome, resolution."""
    c = records.contacts
    n = len(c["issue"])
    if n == 0:
        return pd.DataFrame(
            columns=[
                "issue",
                "channel",
                "last_channel",
                "created",
                "contacts",
                "outcome",
                "resolved_at",
                "switched",
            ]
        )
    order = np.lexsort((c["attempt"], c["issue"]))
    issue = c["issue"][order].astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], issue[1:] != issue[:-1])))
    ends = np.append(starts[1:], n) - 1
    first, last = order[starts], order[ends]
    n_channels = _distinct_counts(issue, c["channel"][order])
    outcome = _outcome_of_last(c["outcome"][last], c["next"][last])
    finish = np.where(
        c["outcome"][last] == DEFLECTED,
        c["end"][last],
        c["answer"][last] + c["handle"][last],
    )
    codes = np.array([0, 1, 2])
    return pd.DataFrame(
        {
            "issue": issue[starts],
            "channel": pd.Categorical.from_codes(c["channel"][first], categories=records.channels),
            "last_channel": pd.Categorical.from_codes(
                c["channel"][last], categories=records.channels
            ),
            "created": c["entered"][first],
            "contacts": (ends - starts + 1).astype(np.int64),
            "outcome": pd.Categorical.from_codes(
                codes[outcome], categories=["open", "resolved", "lost"]
            ),
            "resolved_at": np.where(outcome == RESOLVED, finish, np.nan),
            "switched": n_channels > 1,
        }
    )


def _distinct_counts(issue: np.ndarray, channel: np.ndarray) -> np.ndarray:
    pairs = np.unique(np.column_stack([issue, channel]), axis=0)
    return np.unique(pairs[:, 0], return_counts=True)[1]


def journey_metrics(records: RunRecords) -> dict[str, float]:
    """The journey KPIs of one replication (see the module documentation)."""
    issues = issue_table(records)
    cal = records.calendar
    if cal.steady:
        issues = issues[issues["created"] >= cal.warmup]
    n = len(issues)
    if n == 0:
        return dict.fromkeys(JOURNEY_METRICS, float("nan")) | {"issues": 0.0}
    resolved = issues["outcome"] == "resolved"
    wait = (issues["resolved_at"] - issues["created"])[resolved]
    return {
        "issues": float(n),
        "contacts_per_issue": float(issues["contacts"].mean()),
        "first_contact_resolution": float((resolved & (issues["contacts"] == 1)).mean()),
        "resolved": float(resolved.mean()),
        "lost": float((issues["outcome"] == "lost").mean()),
        "open": float((issues["outcome"] == "open").mean()),
        "resolution_time": float(wait.mean()) if len(wait) else float("nan"),
        "switched": float(issues["switched"].mean()),
    }


def flows(records: RunRecords) -> pd.DataFrame:
    """Channel-to-channel flow counts: ``source, target, count``.

    Sources are ``new`` (a new issue) or a channel; targets a channel, or the end
    of the issue: ``resolved``, ``lost`` or ``open``.
    """
    c = records.contacts
    names = np.array(records.channels, dtype=object)
    prev = c["prev_channel"]
    source = np.where(prev >= 0, names[np.maximum(prev, 0)], "new")
    target = names[c["channel"]] if len(c["channel"]) else np.empty(0, dtype=object)
    edges = pd.DataFrame({"source": source, "target": target})
    issues = issue_table(records)
    ends = pd.DataFrame(
        {"source": issues["last_channel"].astype(str), "target": issues["outcome"].astype(str)}
    )
    edges = pd.concat([edges, ends], ignore_index=True)
    return edges.value_counts(["source", "target"]).rename("count").reset_index()
