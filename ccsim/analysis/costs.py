"""Costs of one replication: labour, self-service, telephony, and the customer's side.

Definitions (currency of the scenario; minutes of the records' seconds / 60):

* labour of a pool = paid hours x ``cost_per_hour``; paid hours = scheduled hours
  (absent agents included when ``absent_paid``, unpaid breaks excluded) plus
  overtime (time on duty after closing, draining the queue);
* self-service = contacts entering a self-service stage x its cost per contact;
* telephony (live channels) = minutes of talk x ``talk_per_minute`` + minutes
  waited x ``wait_per_minute``;
* operating ``cost`` = labour + self-service + telephony;
* customer cost = abandoned contacts x ``per_abandoned`` + minutes waited on live
  and chat channels x ``per_minute_waited``; ``economic_cost`` = cost + customer cost;
* a channel's cost = the labour of every pool split over its channels in
  proportion to the agent time spent on them (handle time plus wrap-up), plus
  the channel's self-service and telephony costs.
"""

from __future__ import annotations

import numpy as np

from ccsim.analysis.derive import Derived
from ccsim.records import ABANDONED, ANSWERED, RunRecords
from ccsim.scenario.schema import Scenario

__all__ = ["channel_costs"]


def channel_costs(
    records: RunRecords, scenario: Scenario, d: Derived, labour: np.ndarray
) -> dict[str, dict[str, float]]:
    """Per channel: ``labour``, ``self_service``, ``telephony``, ``customer`` costs.

    *labour* is the labour cost per pool; it is allocated to channels by agent time.
    """
    c = records.contacts
    n_ch = len(records.channels)
    answered = (d.outcome == ANSWERED) & d.counted
    work = np.zeros((len(records.pools), n_ch))
    np.add.at(
        work,
        (c["pool"][answered].astype(np.int64), c["channel"][answered].astype(np.int64)),
        d.work[answered],
    )
    totals = work.sum(axis=1, keepdims=True)
    share = np.divide(work, totals, out=np.zeros_like(work), where=totals > 0)
    allocated = (share * labour[:, None]).sum(axis=0)
    tel = scenario.costs.telephony
    cust = scenario.costs.customer
    out: dict[str, dict[str, float]] = {}
    for code, name in enumerate(records.channels):
        ch = scenario.channels[name]
        mine = (d.channel == code) & d.counted
        ans = mine & (d.outcome == ANSWERED)
        ab = mine & (d.outcome == ABANDONED)
        waited = float(np.nansum(d.wait[ans | ab])) / 60.0
        talk = float(np.nansum(c["handle"][ans])) / 60.0
        ss = scenario.self_service.get(name)
        ss_price = 0.0
        if ss is not None:
            ss_price = (
                scenario.costs.self_service_per_contact
                if ss.cost_per_contact is None
                else ss.cost_per_contact
            )
        live = ch.kind == "live"
        out[name] = {
            "labour": float(allocated[code]),
            "self_service": ss_price * float(mine.sum()),
            "telephony": (talk * tel.talk_per_minute + waited * tel.wait_per_minute)
            if live
            else 0.0,
            "customer": float(ab.sum()) * cust.per_abandoned
            + (waited * cust.per_minute_waited if ch.kind != "deferred" else 0.0),
        }
    return out
