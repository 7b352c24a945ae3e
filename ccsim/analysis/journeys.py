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

from dataclasses import dataclass

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

__all__ = ["JOURNEY_METRICS", "Issues", "flows", "issue_table", "issues_of", "journey_metrics"]

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


@dataclass(frozen=True, slots=True)
class Issues:
    """Per-issue arrays (sorted by issue): first and last contact, outcome, channels."""

    issue: np.ndarray
    first: np.ndarray  # row of the issue's first contact
    last: np.ndarray  # row of its last contact
    contacts: np.ndarray
    outcome: np.ndarray  # OPEN, RESOLVED or LOST
    finish: np.ndarray  # end of the last contact (resolution time if resolved)
    switched: np.ndarray


def issues_of(records: RunRecords) -> Issues:
    """The issues of a run, computed with sorts and counts (no Python loop)."""
    c = records.contacts
    n = len(c["issue"])
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Issues(
            empty,
            empty,
            empty,
            empty,
            empty.astype(np.int8),
            empty.astype(float),
            empty.astype(bool),
        )
    issue_all = c["issue"].astype(np.int64)
    if int(c["attempt"].max()) == 1:  # every issue had one contact
        order = np.argsort(issue_all, kind="stable")
        starts = np.arange(n)
    else:
        order = np.lexsort((c["attempt"], issue_all))
        sorted_issue = issue_all[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_issue[1:] != sorted_issue[:-1])))
    issue = issue_all[order]
    ends = np.append(starts[1:], n) - 1
    first, last = order[starts], order[ends]
    n_ch = max(len(records.channels), 1)
    pairs = np.unique(issue * n_ch + c["channel"][order])
    per_issue = np.bincount(pairs // n_ch, minlength=int(issue.max(initial=-1)) + 1)
    outcome = _outcome_of_last(c["outcome"][last], c["next"][last])
    finish = np.where(
        c["outcome"][last] == DEFLECTED, c["end"][last], c["answer"][last] + c["handle"][last]
    )
    return Issues(
        issue=issue[starts],
        first=first,
        last=last,
        contacts=(ends - starts + 1).astype(np.int64),
        outcome=outcome,
        finish=finish,
        switched=per_issue[issue[starts]] > 1,
    )


def issue_table(records: RunRecords) -> pd.DataFrame:
    """One row per issue: first and last channel, creation, contacts, outcome, resolution."""
    c = records.contacts
    i = issues_of(records)
    codes = np.array([0, 1, 2])
    channels = pd.Index(records.channels)
    return pd.DataFrame(
        {
            "issue": i.issue,
            "channel": pd.Categorical.from_codes(c["channel"][i.first], channels),
            "last_channel": pd.Categorical.from_codes(c["channel"][i.last], channels),
            "created": c["entered"][i.first],
            "contacts": i.contacts,
            "outcome": pd.Categorical.from_codes(
                codes[i.outcome], pd.Index(["open", "resolved", "lost"])
            ),
            "resolved_at": np.where(i.outcome == RESOLVED, i.finish, np.nan),
            "switched": i.switched,
        }
    )


def journey_metrics(records: RunRecords, issues: Issues | None = None) -> dict[str, float]:
    """The journey KPIs of one replication (see the module documentation)."""
    i = issues_of(records) if issues is None else issues
    created = records.contacts["entered"][i.first]
    cal = records.calendar
    keep = created >= cal.warmup if cal.steady else np.ones(len(created), dtype=bool)
    n = int(keep.sum())
    if n == 0:
        return dict.fromkeys(JOURNEY_METRICS, float("nan")) | {"issues": 0.0}
    outcome, contacts = i.outcome[keep], i.contacts[keep]
    resolved = outcome == RESOLVED
    wait = (i.finish[keep] - created[keep])[resolved]
    return {
        "issues": float(n),
        "contacts_per_issue": float(contacts.mean()),
        "first_contact_resolution": float((resolved & (contacts == 1)).mean()),
        "resolved": float(resolved.mean()),
        "lost": float((outcome == LOST).mean()),
        "open": float((outcome == OPEN).mean()),
        "resolution_time": float(wait.mean()) if len(wait) else float("nan"),
        "switched": float(i.switched[keep].mean()),
    }


def flows(records: RunRecords, issues: Issues | None = None) -> pd.DataFrame:
    """Channel-to-channel flow counts: ``source, target, count``.

    Sources are ``new`` (a new issue) or a channel; targets a channel, or the end
    of the issue: ``resolved``, ``lost`` or ``open``.
    """
    c = records.contacts
    i = issues_of(records) if issues is None else issues
    names = ["new", *records.channels]
    ends = ["open", "resolved", "lost"]
    k = len(names) + len(ends)
    # Source codes: 0 = new, 1 + channel. Target codes: 1 + channel, or len(names) + outcome.
    edges = (c["prev_channel"].astype(np.int64) + 1) * k + c["channel"] + 1
    closing = (c["channel"][i.last].astype(np.int64) + 1) * k + len(names) + i.outcome
    keys, counts = np.unique(np.concatenate([edges, closing]), return_counts=True)
    labels = names + ends
    return pd.DataFrame(
        {
            "source": [labels[key // k] for key in keys.tolist()],
            "target": [labels[key % k] for key in keys.tolist()],
            "count": counts.astype(np.int64),
        }
    )
