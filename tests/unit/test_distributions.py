import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from ccsim.distributions import Distribution

ADAPTER = TypeAdapter(Distribution)

CASES = [
    {"dist": "exponential", "mean": "5min"},
    {"dist": "lognormal", "mean": 300, "cv": 1.2},
    {"dist": "gamma", "mean": 120, "cv": 0.5},
    {"dist": "erlang", "mean": 60, "k": 4},
    {"dist": "uniform", "low": 10, "high": 50},
    {"dist": "empirical", "values": [10, 20, 60], "weights": [1, 2, 1]},
    {"dist": "deterministic", "value": "90s"},
]


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s["dist"])
def test_sample_moments_match_declared_mean_and_cv(spec):
    d = ADAPTER.validate_python(spec)
    x = d.sample(np.random.default_rng(42), 200_000)
    assert (x >= 0).all()
    # 99.9% interval for the sample mean: z * sd / sqrt(n).
    sd = d.cv * d.mean
    tol = 3.29 * sd / math.sqrt(len(x)) + 1e-12
    assert abs(x.mean() - d.mean) <= tol
    if d.cv > 0:
        assert x.std() / x.mean() == pytest.approx(d.cv, rel=0.05)


def test_bare_duration_is_deterministic():
    d = ADAPTER.validate_python("2min")
    assert d.dist == "deterministic" and d.mean == 120 and d.cv == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"dist": "lognormal", "mean": 300, "cv": -1},
        {"dist": "lognormal", "mean": 0, "cv": 1},
        {"dist": "exponential", "mean": "-3s"},
        {"dist": "uniform", "low": 50, "high": 10},
        {"dist": "empirical", "values": [1, 2], "weights": [1]},
        {"dist": "weibull", "mean": 3},
        {"dist": "exponential", "mean": 3, "cv": 1},
    ],
)
def test_invalid_distributions_are_rejected(bad):
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(bad)
