"""Tests of ccsim.analysis.erlang against independent oracles.

Oracles: exact rational arithmetic (``fractions.Fraction``) for Erlang B/C, a
50-digit ``decimal`` recursion for large ``c``, a dense linear solve of the Erlang A
generator plus a matrix-exponential transient analysis of the tagged customer's
absorbing chain, and the incomplete-gamma closed forms of Mandelbaum & Zeltyn.
"""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import sparse, special
from scipy.sparse.linalg import expm_multiply

from ccsim.analysis.erlang import (
    ErlangAMetrics,
    ErlangCMetrics,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    offered_load,
    priority_waits,
    required_agents,
)

# --------------------------------------------------------------------------- oracles


def exact_erlang_b(c: int, a: float) -> float:
    """Erlang B from its definition in exact rational arithmetic."""
    load = Fraction(a)
    terms = [load**k / math.factorial(k) for k in range(c + 1)]
    return float(terms[-1] / sum(terms))


def exact_erlang_c(c: int, a: float) -> float:
    """P(N >= c) of M/M/c summed from the stationary distribution, exactly."""
    load = Fraction(a)
    queue = load**c / math.factorial(c) * Fraction(c) / (c - load)  # geometric tail
    below = sum(load**k / math.factorial(k) for k in range(c))
    return float(queue / (below + queue))


def decimal_erlang_b(c: int, a: float) -> float:
    """Erlang B by the recursion 1/B_k = 1 + (k/a)/B_{k-1} in 50-digit decimal."""
    with localcontext() as ctx:
        ctx.prec = 50
        load = Decimal(a)
        inverse = Decimal(1)
        for k in range(1, c + 1):
            inverse = 1 + inverse * k / load
        return float(1 / inverse)


def dense_stationary(lam: float, mu: float, theta: float, c: int, n_max: int) -> np.ndarray:
    """Stationary distribution of the truncated M/M/c+M generator by a linear solve."""
    n = np.arange(n_max + 1)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0) * theta
    gen = np.zeros((n_max + 1, n_max + 1))
    gen[n[:-1], n[1:]] = lam
    gen[n[1:], n[:-1]] = death[1:]
    gen[n, n] = -gen.sum(axis=1)
    system = gen.T.copy()
    system[-1, :] = 1.0  # replace one balance equation by normalisation
    rhs = np.zeros(n_max + 1)
    rhs[-1] = 1.0
    return np.linalg.solve(system, rhs)


class DenseErlangA(NamedTuple):
    p_wait: float
    p_answered: float
    mean_wait: float  # E[Q] / lambda
    wait_served: float  # E[W 1{served}]
    wait_abandoned: float  # E[W 1{abandoned}]
    busy: float  # E[busy agents]
    service_level: np.ndarray  # P(served and W <= t) for each t


def dense_erlang_a(
    rate: float, aht: float, c: int, patience: float, withins: list[float], n_max: int
) -> DenseErlangA:
    """Erlang A metrics from a dense generator and the tagged absorbing CTMC."""
    lam, mu, theta = rate / 3600, 1 / aht, 1 / patience
    pi = dense_stationary(lam, mu, theta, c, n_max)
    size = n_max - c + 1  # phases: i = 0..size-1 customers ahead of the arrival
    k = np.arange(size)
    trans = np.diag(-(c * mu + (k + 1) * theta))
    trans[k[1:], k[1:] - 1] = c * mu + k[1:] * theta
    to_served = np.zeros(size)
    to_served[0] = c * mu
    start = pi[c:]
    p_served_from = np.linalg.solve(-trans, to_served)
    occupation = np.linalg.solve(-trans.T, start)  # expected time in each phase
    gen = np.zeros((size + 2, size + 2))  # + served, abandoned
    gen[:size, :size] = trans
    gen[:size, size] = to_served
    gen[:size, size + 1] = theta
    init = np.concatenate([start, [0.0, 0.0]])
    below = pi[:c].sum()
    gen_t = sparse.csc_matrix(gen.T)
    served_by = [below + expm_multiply(gen_t * t, init)[size] for t in withins]
    return DenseErlangA(
        p_wait=float(pi[c:].sum()),
        p_answered=float(below + start @ p_served_from),
        mean_wait=float(pi[c:] @ k) / lam,
        wait_served=float(occupation @ p_served_from),
        wait_abandoned=float(occupation @ (1 - p_served_from)),
        busy=float(pi[:c] @ np.arange(c) + c * pi[c:].sum()),
        service_level=np.array(served_by),
    )


# --------------------------------------------------------------------------- Erlang B


def test_erlang_b_textbook_values() -> None:
    assert erlang_b(10, 5.0) == pytest.approx(0.018384570336648, rel=1e-12)
    assert round(float(erlang_b(10, 5.0)), 4) == 0.0184  # classic table value
    assert erlang_b(1, 0.5) == pytest.approx(0.5 / 1.5, rel=1e-15)
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)  # (1/2) / (1 + 1 + 1/2)
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(4, 0.0) == 0.0


@pytest.mark.parametrize(
    ("c", "a"),
    [(1, 0.5), (2, 1.0), (5, 3.25), (10, 5.0), (10, 12.5), (20, 7.75), (30, 29.5),
     (50, 80.25), (3, 40.0), (60, 60.0), (15, 0.01), (40, 1000.0)],
)  # fmt: skip
def test_erlang_b_matches_exact_fractions(c: int, a: float) -> None:
    assert erlang_b(c, a) == pytest.approx(exact_erlang_b(c, a), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 60), a=st.floats(0.01, 150.0))
def test_erlang_b_property_exact(c: int, a: float) -> None:
    assert erlang_b(c, a) == pytest.approx(exact_erlang_b(c, a), rel=1e-12)


@pytest.mark.parametrize("c", [1000, 2000, 5000])
def test_erlang_b_large_c_stable_and_accurate(c: int) -> None:
    loads = c * np.array([0.5, 0.8, 0.95, 0.999, 1.0, 1.05, 1.5, 3.0, 20.0])
    got = erlang_b(c, loads)
    assert isinstance(got, np.ndarray)
    assert np.all(np.isfinite(got)) and np.all((got >= 0) & (got <= 1))
    expected = np.array([decimal_erlang_b(c, float(a)) for a in loads])
    tiny = expected < 1e-300  # underflows in both
    assert np.all(got[tiny] < 1e-290)
    # a few ulp, growing only with the exponent of very small results
    rel = np.abs(got[~tiny] - expected[~tiny]) / expected[~tiny]
    assert np.all(rel <= 1e-15 * np.maximum(1.0, np.abs(np.log(expected[~tiny]))))
    assert np.all(np.diff(got) > 0)  # increasing in the load


@pytest.mark.parametrize("a", [950.0, 2000.0, 4999.5, 6000.0])
def test_erlang_b_monotone_decreasing_in_agents(a: float) -> None:
    c = np.arange(int(a) - 100, int(a) + 101)
    b = erlang_b(c, a)
    assert np.all(np.diff(b) < 0)


def test_erlang_b_vectorises_and_returns_float_for_scalars() -> None:
    c = np.arange(1, 5)[:, None]
    a = np.array([1.0, 2.0, 3.0])
    grid = erlang_b(c, a)
    assert isinstance(grid, np.ndarray) and grid.shape == (4, 3)
    assert grid[2, 1] == erlang_b(3, 2.0)
    assert type(erlang_b(3, 2.0)) is float
    assert type(erlang_c(np.int64(3), np.float64(2.0))) is float


@pytest.mark.parametrize(
    ("agents", "load"), [(2.5, 1.0), (-1, 1.0), (3, -0.1), (3, math.nan), (3, math.inf)]
)
def test_erlang_b_rejects_bad_input(agents: float, load: float) -> None:
    with pytest.raises(ValueError):
        erlang_b(agents, load)


# --------------------------------------------------------------------------- Erlang C


def test_erlang_c_small_known_values() -> None:
    assert erlang_c(1, 0.3) == pytest.approx(0.3, rel=1e-14)  # M/M/1: P(wait) = rho
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-14)  # 2 rho^2 / (1 + rho)
    assert erlang_c(3, 3.0) == 1.0
    assert erlang_c(3, 7.5) == 1.0
    assert erlang_c(0, 0.0) == 1.0


@pytest.mark.parametrize(
    ("c", "a"), [(1, 0.5), (2, 1.5), (5, 4.0), (10, 9.99), (20, 15.25), (50, 42.0), (80, 1.0)]
)
def test_erlang_c_matches_exact_fractions(c: int, a: float) -> None:
    assert erlang_c(c, a) == pytest.approx(exact_erlang_c(c, a), rel=1e-12)


@pytest.mark.parametrize("c", [1000, 2000, 5000])
def test_erlang_c_large_c(c: int) -> None:
    loads = c * np.array([0.5, 0.9, 0.99, 0.9999])
    got = erlang_c(c, loads)
    b = np.array([decimal_erlang_b(c, float(a)) for a in loads])
    np.testing.assert_allclose(got, c * b / (c - loads * (1 - b)), rtol=1e-12, atol=1e-300)
    assert np.all(np.diff(got) > 0)
    staffed = erlang_c(np.arange(c, c + 200), 0.98 * c)
    assert np.all((staffed > 0) & (staffed < 1)) and np.all(np.diff(staffed) < 0)


def test_erlang_c_metrics_mm1_closed_forms() -> None:
    rate, aht, t = 10.0, 180.0, 30.0  # a = rho = 0.5
    lam, mu = rate / 3600, 1 / aht
    m = erlang_c_metrics(rate, aht, 1, t)
    assert isinstance(m, ErlangCMetrics)
    assert m.load == pytest.approx(0.5, rel=1e-15)
    assert m.p_wait == pytest.approx(0.5, rel=1e-14)
    assert m.asa == pytest.approx(0.5 / (mu - lam), rel=1e-14)
    assert m.service_level == pytest.approx(1 - 0.5 * math.exp(-(mu - lam) * t), rel=1e-14)
    assert m.occupancy == pytest.approx(0.5, rel=1e-15)


@pytest.mark.parametrize(("rate", "aht", "c"), [(100.0, 180.0, 7), (1000.0, 300.0, 90)])
def test_erlang_c_service_level_matches_erlang_mixture(rate: float, aht: float, c: int) -> None:
    """Condition on i customers ahead: the wait is Erlang(i + 1, c mu)."""
    a = rate * aht / 3600
    rho = a / c
    p_wait = exact_erlang_c(c, a)
    i = np.arange(3000)
    p_i = p_wait * (1 - rho) * rho**i  # P(arrival finds c + i)
    for t in [0.0, 5.0, 20.0, 120.0]:
        late = p_i @ special.gammaincc(i + 1, c / aht * t) if t > 0 else p_wait
        m = erlang_c_metrics(rate, aht, c, t)
        assert m.service_level == pytest.approx(1 - late, abs=1e-13)
    assert erlang_c_metrics(rate, aht, c, 0.0).asa == pytest.approx(
        p_wait * rho / (1 - rho) / (rate / 3600), rel=1e-12
    )  # Little: E[Lq] / lambda


def test_erlang_c_metrics_unstable_convention_and_shapes() -> None:
    m = erlang_c_metrics([100.0, 200.0], 180.0, 5, [20.0, 20.0])
    assert isinstance(m.p_wait, np.ndarray) and m.p_wait.shape == (2,)
    assert m.p_wait[1] == 1.0 and np.asarray(m.asa)[1] == math.inf
    assert np.asarray(m.service_level)[1] == 0.0 and np.asarray(m.occupancy)[1] == 1.0
    inf_t = erlang_c_metrics(100.0, 180.0, 7, math.inf)
    assert inf_t.service_level == 1.0
    grid = erlang_c_metrics(np.array([[50.0], [100.0]]), 180.0, [6, 7, 8], 20.0)
    assert np.shape(grid.service_level) == (2, 3)


def test_offered_load() -> None:
    assert offered_load(120.0, 300.0) == pytest.approx(10.0, rel=1e-15)
    assert np.shape(offered_load([1.0, 2.0], 3600.0)) == (2,)


# --------------------------------------------------------------------------- Erlang A

ERLANG_A_CASES = [
    # rate [1/h], aht [s], agents, patience [s], states for the dense oracle
    (10.0, 180.0, 1, 60.0, 80),
    (80.0, 180.0, 5, 120.0, 150),
    (130.0, 180.0, 5, 30.0, 120),  # overloaded: a = 6.5 > 5
    (240.0, 300.0, 10, 600.0, 200),  # overloaded: a = 20 > 10
]
WITHINS = [0.0, 5.0, 20.0, 60.0, 300.0]


@pytest.mark.parametrize(("rate", "aht", "c", "patience", "n_max"), ERLANG_A_CASES)
def test_erlang_a_matches_dense_chain_and_transient_analysis(
    rate: float, aht: float, c: int, patience: float, n_max: int
) -> None:
    ref = dense_erlang_a(rate, aht, c, patience, WITHINS, n_max)
    m = erlang_a_metrics(rate, aht, c, patience, np.array(WITHINS))
    assert isinstance(m, ErlangAMetrics)
    p_ab = 1 - ref.p_answered
    assert np.allclose(m.p_wait, ref.p_wait, rtol=1e-10)
    assert np.allclose(m.p_answered, ref.p_answered, rtol=1e-10)
    assert np.allclose(m.p_abandon, p_ab, rtol=1e-9)
    assert np.allclose(m.mean_wait, ref.mean_wait, rtol=1e-10)
    assert np.allclose(m.asa, ref.wait_served / ref.p_answered, rtol=1e-9)
    assert np.allclose(m.mean_wait_abandoned, ref.wait_abandoned / p_ab, rtol=1e-9)
    assert np.allclose(m.occupancy, ref.busy / c, rtol=1e-10)
    np.testing.assert_allclose(m.service_level, ref.service_level, rtol=0, atol=1e-11)
    np.testing.assert_allclose(
        m.service_level_answered, ref.service_level / ref.p_answered, rtol=0, atol=1e-11
    )


@pytest.mark.parametrize(
    ("rate", "aht", "c", "patience"),
    [(100.0, 180.0, 7, 120.0), (700.0, 240.0, 40, 90.0), (1400.0, 240.0, 40, 300.0)],
)
def test_erlang_a_matches_mandelbaum_zeltyn_closed_forms(
    rate: float, aht: float, c: int, patience: float
) -> None:
    lam, mu, theta = rate / 3600, 1 / aht, 1 / patience
    x, y, rho, a = c * mu / theta, lam / theta, lam / (c * mu), lam / mu
    big_a = math.exp(
        math.log(x) + y - x * math.log(y) + special.gammaln(x) + math.log(special.gammainc(x, y))
    )  # A(x, y) = x e^y y^-x gamma(x, y)
    b = exact_erlang_b(c, a)
    p_wait = big_a * b / (1 + (big_a - 1) * b)
    m = erlang_a_metrics(rate, aht, c, patience, 20.0)
    assert m.p_wait == pytest.approx(p_wait, rel=1e-10)
    assert m.p_abandon == pytest.approx(p_wait * (1 / (rho * big_a) + 1 - 1 / rho), rel=1e-10)


def assert_erlang_a_identities(m: ErlangAMetrics, c: int) -> None:
    assert m.p_answered + m.p_abandon == pytest.approx(1.0, abs=1e-12)
    split = (1 - m.p_abandon) * m.asa + m.p_abandon * m.mean_wait_abandoned
    assert m.mean_wait == pytest.approx(split, rel=1e-10, abs=1e-14)
    assert m.occupancy == pytest.approx(m.load * (1 - m.p_abandon) / c, rel=1e-11)
    assert 0 <= m.service_level <= m.p_answered + 1e-13  # the SL's accuracy
    assert 0 <= m.service_level_answered <= 1
    assert 0 <= m.p_wait <= 1 and 0 <= m.occupancy <= 1


@settings(max_examples=40, deadline=None)
@example(c=36, load_ratio=2.0, aht=31.0, patience=1085.5, within=60.0)  # SL ~ 0 as noise
@given(
    c=st.integers(1, 40),
    load_ratio=st.floats(0.05, 3.0),
    aht=st.floats(30.0, 600.0),
    patience=st.floats(5.0, 3000.0),
    within=st.floats(0.0, 300.0),
)
def test_erlang_a_identities_property(
    c: int, load_ratio: float, aht: float, patience: float, within: float
) -> None:
    rate = load_ratio * c * 3600 / aht
    m = erlang_a_metrics(rate, aht, c, patience, [0.0, within, 2 * within + 1, math.inf])
    sl = np.asarray(m.service_level)
    # non-decreasing, up to the documented accuracy of the service level (1e-13 absolute)
    assert np.all(np.diff(sl) >= -1e-13)
    assert sl[0] == pytest.approx(1 - np.asarray(m.p_wait)[0], abs=1e-13)  # answered at once
    assert sl[-1] == pytest.approx(np.asarray(m.p_answered)[-1], abs=1e-12)  # all answered
    assert_erlang_a_identities(erlang_a_metrics(rate, aht, c, patience, within), c)


@pytest.mark.parametrize("c", [1000, 5000])
@pytest.mark.parametrize("load_ratio", [0.9, 1.0, 1.1])
def test_erlang_a_large_and_overloaded(c: int, load_ratio: float) -> None:
    aht, patience = 300.0, 120.0
    rate = load_ratio * c * 3600 / aht
    m = erlang_a_metrics(rate, aht, c, patience, 20.0)
    values = np.array(dataclasses.astuple(m))
    assert np.all(np.isfinite(values))
    assert_erlang_a_identities(m, c)
    assert m.p_abandon >= 1 - 1 / load_ratio  # throughput <= c mu
    assert erlang_a_metrics(rate, aht, c, patience, math.inf).service_level == pytest.approx(
        m.p_answered, abs=1e-12
    )


def test_erlang_a_converges_to_erlang_c() -> None:
    rate, aht, c, t = 100.0, 180.0, 7, 20.0
    ref = erlang_c_metrics(rate, aht, c, t)
    ref_values = np.array([ref.p_wait, ref.asa, ref.service_level, ref.occupancy, 0.0])
    scale = np.array([ref.p_wait, ref.asa, 1.0, 1.0, 1.0])
    errors = []
    for patience in [1e4, 1e6, 1e8]:
        m = erlang_a_metrics(rate, aht, c, patience, t)
        values = np.array([m.p_wait, m.asa, m.service_level, m.occupancy, m.p_abandon])
        errors.append(float(np.max(np.abs(values - ref_values) / scale)))
    assert errors[0] > errors[1] > errors[2]
    assert errors[1] < 1e-3 and errors[2] < 1e-5
    exact = erlang_a_metrics(rate, aht, c, math.inf, t)
    assert (exact.p_wait, exact.asa, exact.service_level) == (
        ref.p_wait,
        ref.asa,
        ref.service_level,
    )
    assert exact.p_abandon == 0.0 and math.isnan(exact.mean_wait_abandoned)
    assert erlang_a_metrics(rate, aht, 5, math.inf, t).asa == math.inf  # a >= c


def test_erlang_a_vectorises() -> None:
    m = erlang_a_metrics(np.array([[80.0], [130.0]]), 180.0, [5, 6, 7], 120.0, 20.0)
    assert np.shape(m.asa) == (2, 3)
    one = erlang_a_metrics(130.0, 180.0, 6, 120.0, 20.0)
    assert type(one.asa) is float
    assert np.asarray(m.asa)[1, 1] == one.asa
    assert np.asarray(m.service_level)[1, 1] == one.service_level


def test_erlang_a_edge_cases_and_errors() -> None:
    idle = erlang_a_metrics(0.0, 180.0, 3, 60.0, 20.0)
    assert idle.service_level == 1.0 and idle.p_abandon == 0.0 and idle.occupancy == 0.0
    with pytest.raises(ValueError, match="agents"):
        erlang_a_metrics(100.0, 180.0, 0, 60.0, 20.0)
    with pytest.raises(ValueError, match="patience_s"):
        erlang_a_metrics(100.0, 180.0, 3, 0.0, 20.0)
    with pytest.raises(ValueError, match="within_s"):
        erlang_a_metrics(100.0, 180.0, 3, 60.0, -1.0)


# --------------------------------------------------------------------------- staffing


def test_required_agents_needs_a_target() -> None:
    with pytest.raises(ValueError, match="at least one target"):
        required_agents(100.0, 180.0)
    with pytest.raises(ValueError, match="together"):
        required_agents(100.0, 180.0, target_sl=0.8)
    with pytest.raises(ValueError, match="patience"):
        required_agents(100.0, 180.0, max_abandon=0.05)
    with pytest.raises(ValueError, match="target_sl"):
        required_agents(100.0, 180.0, target_sl=1.0, within_s=20.0)


@pytest.mark.parametrize(
    ("rate", "aht", "targets"),
    [
        (100.0, 180.0, {"target_sl": 0.8, "within_s": 20.0}),
        (720.0, 240.0, {"max_asa_s": 15.0}),
        (2000.0, 300.0, {"max_occupancy": 0.85}),
        (2000.0, 300.0, {"max_occupancy": 0.95, "target_sl": 0.9, "within_s": 10.0}),
        (1e6, 300.0, {"target_sl": 0.8, "within_s": 20.0}),  # a = 83 333 Erlang
    ],
)
def test_required_agents_erlang_c_is_minimal(rate: float, aht: float, targets: dict) -> None:
    c = required_agents(rate, aht, **targets)
    assert isinstance(c, int) and c > offered_load(rate, aht)

    def meets(n: int) -> bool:
        m = erlang_c_metrics(rate, aht, n, targets.get("within_s", 0.0))
        return (
            m.service_level >= targets.get("target_sl", 0.0)
            and m.asa <= targets.get("max_asa_s", math.inf)
            and m.occupancy <= targets.get("max_occupancy", 1.0)
        )

    assert meets(c) and not meets(c - 1)


@pytest.mark.parametrize(
    ("rate", "patience", "targets"),
    [
        (13200.0, 120.0, {"target_sl": 0.8, "within_s": 20.0}),
        (13200.0, 120.0, {"max_abandon": 0.02}),
        (500.0, 120.0, {"max_asa_s": 10.0, "max_abandon": 0.05}),
        (500.0, 120.0, {"max_occupancy": 0.8}),
        # very impatient callers: the answer sits just above the bound floor(target a)
        (1200.0, 1.0, {"target_sl": 0.3, "within_s": 3600.0}),
        (1200.0, 1.0, {"target_sl": 0.305, "within_s": 3600.0}),
        (1200.0, 1.0, {"max_abandon": 0.7}),
    ],
)
def test_required_agents_erlang_a_is_minimal(rate: float, patience: float, targets: dict) -> None:
    aht = 300.0
    c = required_agents(rate, aht, patience_s=patience, **targets)
    assert isinstance(c, int)

    def meets(n: int) -> bool:
        m = erlang_a_metrics(rate, aht, n, patience, targets.get("within_s", 0.0))
        return (
            m.service_level >= targets.get("target_sl", 0.0)
            and m.asa <= targets.get("max_asa_s", math.inf)
            and m.p_abandon <= targets.get("max_abandon", 1.0)
            and m.occupancy <= targets.get("max_occupancy", 1.0)
        )

    assert meets(c) and not meets(c - 1)


@settings(max_examples=30, deadline=None)
@given(
    rate=st.floats(1.0, 5000.0),
    aht=st.floats(30.0, 600.0),
    target=st.floats(0.3, 0.97),
    within=st.floats(0.0, 60.0),
)
def test_required_agents_minimal_property(
    rate: float, aht: float, target: float, within: float
) -> None:
    c = required_agents(rate, aht, target_sl=target, within_s=within)
    assert erlang_c_metrics(rate, aht, c, within).service_level >= target
    if c - 1 > offered_load(rate, aht):
        assert erlang_c_metrics(rate, aht, c - 1, within).service_level < target


def test_required_agents_vectorises_over_rate() -> None:
    rates = np.array([0.0, 100.0, 1000.0])
    got = required_agents(rates, 180.0, target_sl=0.8, within_s=20.0)
    assert isinstance(got, np.ndarray) and got.dtype == np.int64 and got.shape == (3,)
    assert got[0] == 0
    assert got[2] == required_agents(1000.0, 180.0, target_sl=0.8, within_s=20.0)


# --------------------------------------------------------------------------- priorities


@pytest.mark.parametrize(
    ("rates", "aht", "c"),
    [([30.0, 40.0, 30.0], 180.0, 7), ([500.0, 100.0], 240.0, 40), ([5.0], 600.0, 2)],
)
def test_priority_waits_conserve_fcfs_mean_wait(rates: list[float], aht: float, c: int) -> None:
    waits = priority_waits(rates, aht, c)
    fcfs = erlang_c_metrics(sum(rates), aht, c, 0.0).asa
    assert waits.shape == (len(rates),)
    assert np.dot(rates, waits) / sum(rates) == pytest.approx(fcfs, rel=1e-12)
    assert np.all(np.diff(waits) > 0)  # lower priority waits longer


@settings(max_examples=40, deadline=None)
@given(
    rates=st.lists(st.floats(0.1, 500.0), min_size=1, max_size=5),
    aht=st.floats(30.0, 600.0),
    headroom=st.floats(1.0001, 3.0),
)
def test_priority_conservation_property(rates: list[float], aht: float, headroom: float) -> None:
    c = math.ceil(headroom * sum(rates) * aht / 3600)
    waits = priority_waits(rates, aht, c)
    fcfs = erlang_c_metrics(sum(rates), aht, c, 0.0).asa
    assert np.dot(rates, waits) / sum(rates) == pytest.approx(fcfs, rel=1e-11)


def test_priority_waits_overload_and_shapes() -> None:
    aht, c = 180.0, 5  # capacity 100 contacts/h
    waits = priority_waits([60.0, 30.0, 40.0], aht, c)
    sigma1 = 60.0 / 100.0
    assert waits[0] == pytest.approx((aht / c) / (1 - sigma1), rel=1e-14)  # C = 1
    assert np.isfinite(waits[1]) and waits[2] == math.inf
    grid = priority_waits(
        np.array([[10.0, 20.0], [30.0, 40.0], [1.0, 2.0]]), [180.0, 200.0, 60.0], 3
    )
    assert grid.shape == (3, 2)
    assert grid[1, 0] == priority_waits([30.0, 40.0], 200.0, 3)[0]
