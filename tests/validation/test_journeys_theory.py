"""Journeys against what they must produce on average (statistical, marked slow).

Tolerances are Student-t confidence intervals over independent replications, at
99% per check (three independent families, one check each, so no further
correction is needed to keep the chance of a false failure near 3%).
"""

import numpy as np
import pytest

from ccsim.analysis.stats import estimate
from ccsim.experiments import simulate
from ccsim.scenario import load_scenario, scenario_from_dict
from tests.conftest import SCENARIOS

pytestmark = pytest.mark.slow
SEED = 20261123


def _expected_attempts(attempt: np.ndarray, abandoned: np.ndarray, p: float) -> float:
    """E[attempts] = sum_k p^k * prod_{j<=k} a_j, with a_j the abandon share of attempt j.

    An issue makes attempt k+1 exactly when attempt k abandons (probability a_k) and
    the customer retries (probability p). With one a for every attempt this is the
    geometric mean 1 / (1 - a p).
    """
    expected, reach = 1.0, 1.0
    for k in range(1, int(attempt.max()) + 1):
        at_k = attempt == k
        a_k = abandoned[at_k].mean() if at_k.any() else 0.0
        reach *= a_k * p
        expected += reach
    return expected


def test_retries_follow_the_abandonment_probability():
    p = 0.6
    sc = scenario_from_dict(
        {
            "name": "retries",
            "horizon": {"duration": "150h", "warmup": "5h", "interval": "1h"},
            "channels": {
                "voice": {
                    "arrivals": {"rate": "480/h"},
                    "handle_time": {"dist": "exponential", "mean": "60s"},
                    "patience": {"dist": "exponential", "mean": "60s"},
                }
            },
            "pools": {"phone": {"skills": ["voice"], "agents": 9}},
            "journeys": {
                "retry": {
                    "voice": {"probability": p, "delay": {"dist": "exponential", "mean": "30min"}}
                }
            },
        }
    )
    res = simulate(sc, replications=12, seed=SEED, jobs=2, contacts="all")
    c = res.contacts()
    diffs, pooled = [], []
    for _, rep in c.groupby("replication"):
        first = rep[rep.attempt == 1].set_index("issue").entered
        keep = first[(first >= 5 * 3600) & (first < 145 * 3600)].index
        rep = rep[rep.issue.isin(keep)]
        abandoned = (rep.outcome.astype(str) == "abandoned").to_numpy()
        attempts = rep.groupby("issue").attempt.max().mean()
        diffs.append(attempts - _expected_attempts(rep.attempt.to_numpy(), abandoned, p))
        a = abandoned.mean()
        pooled.append((attempts, 1 / (1 - a * p), a))
    est = estimate(diffs, level=0.99)
    assert est.low <= 0 <= est.high, f"attempts minus expected: {est}"
    mean_attempts = np.mean([x[0] for x in pooled])
    assert 1.05 < mean_attempts < 2.5  # retries happen, and the test is not vacuous
    assert est.halfwidth < 0.01 * mean_attempts  # the interval is tight enough to mean something


def test_context_loss_stretches_handling_across_silos_by_the_configured_factor():
    sc = load_scenario(SCENARIOS / "omnichannel_siloed.yaml")
    factor = sc.journeys.context_loss.handle_factor
    res = simulate(sc, replications=12, seed=SEED, jobs=2, contacts="all")
    c = res.contacts()
    c = c[(c.channel == "voice") & (c.outcome.astype(str) == "answered")]
    ratios, same_team = [], []
    for _, rep in c.groupby("replication"):
        new = rep[rep.cause.astype(str) == "new"].handle.mean()
        crossed = rep[rep.previous_channel.notna() & (rep.previous_channel != "voice")]
        again = rep[rep.previous_channel == "voice"]  # retries and repeats: same team
        ratios.append(crossed.handle.mean() / new)
        same_team.append(again.handle.mean() / new)
    est = estimate(ratios, level=0.99)
    assert est.low <= factor <= est.high, f"handle ratio {est} vs factor {factor}"
    control = estimate(same_team, level=0.99)
    assert control.low <= 1.0 <= control.high, f"same-team ratio {control}"
    assert est.halfwidth < 0.1


def test_deferred_work_with_enough_agents_keeps_up_and_drains_daily():
    rate = 30.0
    sc = scenario_from_dict(
        {
            "name": "email",
            "horizon": {"days": 5, "open": "08:00", "close": "18:00", "interval": "1h"},
            "channels": {
                "email": {
                    "kind": "deferred",
                    "arrivals": {"rate": rate},
                    "handle_time": {"dist": "exponential", "mean": "5min"},
                }
            },
            "pools": {"office": {"skills": ["email"], "agents": 4}},
        }
    )
    res = simulate(sc, replications=20, seed=SEED, jobs=1, contacts="all")
    c = res.contacts()
    per_hour = c.groupby("replication").answer.count() / (5 * 10)
    est = estimate(per_hour.to_numpy(), level=0.99)
    assert est.low <= rate <= est.high, f"throughput {est} per hour vs rate {rate}"
    day = np.floor(c.entered / 86400)
    close = day * 86400 + 18 * 3600
    early = c.entered < close - 1800
    assert (c.answer[early] < close[early]).all(), "an item from the day was left overnight"
    assert (c.outcome.astype(str) == "answered").all() or res.value(
        "channel", "email", "backlog_end"
    ).max() < 10
