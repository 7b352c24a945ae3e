"""Precision-driven replications: add batches until the key KPIs are precise enough."""

import math

import numpy as np
import pandas as pd
import pytest

from ccsim.experiments import simulate
from ccsim.experiments.precision import MIN_REPLICATIONS, PrecisionRule
from ccsim.scenario import scenario_from_dict
from tests.conftest import tiny


def kpis(values: dict[tuple[str, str, str], list[float]]) -> pd.DataFrame:
    rows = [
        (rep, *key, v) for key, series in values.items() for rep, v in enumerate(series)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["replication", "scope", "name", "metric", "value"])


def test_shares_are_judged_absolutely_and_other_kpis_relatively():
    rule = PrecisionRule.make(0.01, ["channel.*.service_level", "channel.voice.asa"])
    assert rule.tolerance("service_level", 0.8) == 0.01
    assert rule.tolerance("asa", 20.0) == pytest.approx(0.2)


def test_met_when_every_selected_kpi_is_narrow_enough():
    rng = np.random.default_rng(1)
    narrow = list(0.8 + 0.001 * rng.standard_normal(10))
    wide = list(0.8 + 0.05 * rng.standard_normal(10))
    rule = PrecisionRule.make(0.01)
    status = rule.status(
        kpis({("channel", "voice", "service_level"): narrow, ("pool", "p", "occupancy"): wide})
    )
    assert status.met and status.replications == 10  # the pool is not a default metric
    assert rule.next_total(status) is None
    status = rule.status(kpis({("channel", "voice", "service_level"): wide}))
    assert not status.met and status.achieved["channel.voice.service_level"] > 0.01
    # about (hw / target)^2 times as many, at most four times as many at a time
    assert 10 < rule.next_total(status) <= 40


def test_stops_at_max_replications():
    rule = PrecisionRule.make(1e-6, max_replications=12)
    status = rule.status(kpis({("channel", "voice", "service_level"): [0.1, 0.9] * 6}))
    assert not status.met and rule.next_total(status) is None


def test_kpis_undefined_everywhere_are_ignored_and_unknown_patterns_are_errors():
    rule = PrecisionRule.make(0.01)
    status = rule.status(kpis({("channel", "email", "service_level"): [math.nan] * 10}))
    assert status.met and math.isnan(status.achieved["channel.email.service_level"])
    with pytest.raises(ValueError, match="no KPI matches"):
        PrecisionRule.make(0.01, ["channel.nosuch.asa"]).status(
            kpis({("channel", "voice", "asa"): [1.0] * 10})
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": 0}, "positive"),
        ({"target": 0.01, "metrics": ["service_level"]}, "scope.name.metric"),
        ({"target": 0.01, "max_replications": 5}, "at least the starting"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PrecisionRule.make(**kwargs)


def test_simulate_adds_replications_until_precise_and_says_how_many():
    sc = scenario_from_dict(tiny())
    res = simulate(sc, seed=3, precision=0.05, max_replications=60)
    prec = res.provenance["precision"]
    n = res.replications
    assert prec["met"] and prec["replications"] == n == res.provenance["replications"]
    assert MIN_REPLICATIONS < n <= 60  # 10 are not enough for ±5 points on this tiny centre
    sl = res.summary().query("scope == 'channel' and metric == 'service_level'").iloc[0]
    assert (sl.ci_high - sl.ci_low) / 2 <= 0.05
    # Replication r depends only on the seed and r: the same as a fixed run of n.
    fixed = simulate(sc, n, seed=3)
    pd.testing.assert_frame_equal(res.kpis(), fixed.kpis())
