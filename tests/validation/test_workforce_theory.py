"""Absenteeism over many replications (statistical, marked slow).

Each scheduled agent is absent for a day with probability p. Over replications
the absent share of scheduled time must match p within its 99% confidence
interval, and unpaid absence must take the same share off the paid hours.
"""

import pytest

from ccsim.analysis.stats import estimate
from ccsim.experiments import simulate
from ccsim.scenario import scenario_from_dict

pytestmark = pytest.mark.slow
P = 0.08


def centre(pool):
    return scenario_from_dict(
        {
            "name": "absence",
            "horizon": {"days": 10, "open": "08:00", "close": "18:00", "interval": "1h"},
            "channels": {"voice": {"arrivals": {"rate": "30/h"}, "handle_time": "3min"}},
            "pools": {
                "p": {
                    "skills": ["voice"],
                    "absenteeism": P,
                    "absent_paid": False,
                    "cost_per_hour": 10,
                    **pool,
                }
            },
        }
    )


@pytest.mark.parametrize(
    ("pool", "scheduled_hours"),
    [
        ({"agents": 12}, 12 * 10 * 10),
        (
            {
                "shifts": [
                    {"start": "08:00", "end": "13:00", "agents": 7},
                    {"start": "13:00", "end": "18:00", "agents": 5},
                ]
            },
            (7 + 5) * 5 * 10,
        ),
    ],
    ids=["interval-staffing", "shifts"],
)
def test_absent_share_matches_the_probability_and_unpaid_absence_cuts_paid_hours(
    pool, scheduled_hours
):
    res = simulate(centre(pool), replications=60, seed=20261124, jobs=2, contacts="none")
    share = estimate(res.value("pool", "p", "absent_share"), level=0.99)
    assert share.low <= P <= share.high, f"absent share {share} vs {P}"
    assert share.halfwidth < 0.01  # precise enough to tell 8% from 7% or 9%
    paid = res.value("pool", "p", "agent_hours")
    # Per replication, paid = scheduled x (1 - absent share) + overtime (agents draining
    # the queue after closing), and the overtime is small and never negative.
    overtime = paid - scheduled_hours * (1 - res.value("pool", "p", "absent_share"))
    assert (overtime > -1e-9).all() and (overtime < 1.0).all()
    unpaid = estimate(scheduled_hours - (paid - overtime), level=0.99)
    assert unpaid.low <= scheduled_hours * P <= unpaid.high
