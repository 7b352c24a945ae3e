"""Exact Erlang B, C and A formulas for contact centres, staffing and priorities.

Quick staffing answers for users and the analytic oracle the simulator is validated
against. Every function is pure and vectorised: scalar or array arguments broadcast
with NumPy and the result is a ``float`` for scalar input, an array otherwise.

Conventions
-----------
* Times are in seconds ``[s]``; arrival rates are in contacts per hour ``[contacts/h]``
  (converted to per second internally); offered load is in Erlang.
* ``agents`` must be whole numbers (floats with integral values are accepted).
* Erlang C (M/M/c) results for an unstable queue (offered load ``a >= c``) follow
  one convention: ``p_wait = 1``, ``asa = inf``, ``service_level = 0`` and
  ``occupancy = 1``.

Numerics
--------
Erlang B uses an exact positive series when ``c < a`` and the ratio of a Poisson pmf
(Loader's saddle-point form, no factorials) to the Poisson cdf when ``c >= a``; the
relative error is below about ``5e-16 * max(1, |ln B|)`` (a few ulp, growing only with
the exponent of very small results) for ``c`` in the thousands. Erlang A is computed
from the birth-death chain in log space (no overflow at ``c >= 1000``), truncated where
the neglected mass is below ``e**-40`` (about ``4e-18``) of the largest state of the
chain and of its queue part; its service level is accurate to about ``1e-13`` absolute.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import astuple, dataclass, fields
from decimal import Decimal, localcontext
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = [
    "ErlangAMetrics",
    "ErlangCMetrics",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "offered_load",
    "priority_waits",
    "required_agents",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
FloatOrArray: TypeAlias = float | FloatArray

_SECONDS_PER_HOUR = 3600.0
_LOG_TAIL = -40.0  # neglected relative mass in the Erlang A chain: e**-40 ≈ 4.2e-18
_MAX_STATES = 20_000_000  # Erlang A state-space cap (memory guard)
_SERIES_EPS = 1e-17  # relative size of the last term kept in the Erlang B series
_MAX_SEARCH_STEP = 2**40


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ErlangCMetrics:
    """Steady-state metrics of the M/M/c (Erlang C) queue.

    Attributes
    ----------
    p_wait
        Probability that an arrival waits, Erlang C ``C(c, a)``.
    asa
        Average speed of answer [s]: mean wait of all arrivals (all are answered).
    service_level
        ``P(W <= within_s)``.
    occupancy
        Mean fraction of agents busy, ``a / c``.
    load
        Offered load ``a`` [Erlang].
    """

    p_wait: FloatOrArray
    asa: FloatOrArray
    service_level: FloatOrArray
    occupancy: FloatOrArray
    load: FloatOrArray


@dataclass(frozen=True, slots=True)
class ErlangAMetrics:
    """Steady-state metrics of the M/M/c+M (Erlang A, Palm) queue.

    Attributes
    ----------
    p_wait
        Probability that an arrival must wait, ``P(N >= c)`` (PASTA).
    p_abandon
        Fraction of arrivals that abandon, ``theta * E[Q] / lambda``.
    p_answered
        Fraction of arrivals answered, computed independently of ``p_abandon``
        from the tagged-customer chain; ``p_answered + p_abandon = 1`` up to rounding.
    asa
        Average speed of answer [s]: mean wait of **answered** contacts.
    mean_wait
        Mean wait of all arrivals [s], abandoners counted until they abandon
        (``E[Q] / lambda``, Little's law).
    mean_wait_abandoned
        Mean time to abandon of contacts that abandon [s].
    service_level
        ``P(answered and W <= within_s)``: abandoners count against the target.
    service_level_answered
        ``P(W <= within_s | answered)``.
    occupancy
        Mean fraction of agents busy, ``E[min(N, c)] / c``.
    load
        Offered load ``a`` [Erlang].
    """

    p_wait: FloatOrArray
    p_abandon: FloatOrArray
    p_answered: FloatOrArray
    asa: FloatOrArray
    mean_wait: FloatOrArray
    mean_wait_abandoned: FloatOrArray
    service_level: FloatOrArray
    service_level_answered: FloatOrArray
    occupancy: FloatOrArray
    load: FloatOrArray


# --------------------------------------------------------------------------- validation


def _out(x: FloatArray) -> FloatOrArray:
    """Return a Python float for 0-d results, the array otherwise."""
    return float(x) if np.ndim(x) == 0 else x


def _values(x: npt.ArrayLike, name: str, *, positive: bool, allow_inf: bool) -> FloatArray:
    arr = np.asarray(x, dtype=float)
    bad = np.isnan(arr) | (arr <= 0 if positive else arr < 0)
    if not allow_inf:
        bad |= np.isinf(arr)
    if np.any(bad):
        kind = "positive" if positive else "non-negative"
        extra = "" if allow_inf else " and finite"
        raise ValueError(f"{name} must be {kind}{extra}, got {x!r}")
    return arr


def _agents(x: npt.ArrayLike, minimum: int = 0) -> FloatArray:
    arr = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(arr) | (arr < minimum) | (arr != np.floor(arr))):
        raise ValueError(f"agents must be whole numbers >= {minimum}, got {x!r}")
    return arr


def offered_load(rate_per_hour: npt.ArrayLike, aht_s: npt.ArrayLike) -> FloatOrArray:
    """Offered load ``a = lambda * AHT``.

    Parameters
    ----------
    rate_per_hour
        Arrival rate [contacts/h].
    aht_s
        Average handling time [s].

    Returns
    -------
    float or ndarray
        Offered load [Erlang].

    References
    ----------
    .. [1] Gans, N., Koole, G. and Mandelbaum, A. (2003). Telephone call centers:
       tutorial, review, and research prospects. *M&SOM* 5(2), 79-141.
    """
    rate = _values(rate_per_hour, "rate_per_hour", positive=False, allow_inf=False)
    aht = _values(aht_s, "aht_s", positive=True, allow_inf=False)
    return _out(np.asarray(rate * aht / _SECONDS_PER_HOUR, dtype=float))


# --------------------------------------------------------------------------- Erlang B


def _stirlerr_table() -> FloatArray:
    """``log(n!) - log(sqrt(2 pi n) (n/e)**n)`` for n = 0..15, exact to double."""
    table = np.zeros(16)
    with localcontext() as ctx:
        ctx.prec = 50
        ln_sqrt_2pi = Decimal("0.918938533204672741780329736405617639861397473637783412817")
        for n in range(1, 16):
            dn = Decimal(n)
            value = Decimal(math.factorial(n)).ln() - (dn + Decimal("0.5")) * dn.ln()
            table[n] = float(value + dn - ln_sqrt_2pi)
    return table


_STIRLERR_SMALL = _stirlerr_table()


def _stirlerr(n: FloatArray) -> FloatArray:
    """Stirling-formula error for whole ``n >= 1`` (Loader 2000)."""
    small = n <= 15
    nn = np.where(small, 16.0, n)
    inv2 = 1.0 / (nn * nn)
    series = (
        1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - (1 / 1188) * inv2) * inv2) * inv2) * inv2
    ) / nn
    idx = np.where(small, n, 0).astype(np.intp)
    return np.where(small, _STIRLERR_SMALL[idx], series)


def _bd0(x: FloatArray, m: FloatArray) -> FloatArray:
    """Deviance term ``x log(x/m) + m - x`` for ``x >= m > 0``, without cancellation.

    With ``v = (x - m)/(x + m)``, ``x log(x/m) = 2 x atanh(v)``, so the term equals
    ``(x - m) v + 2 x sum_{j>=1} v**(2j+1)/(2j+1)``: positive terms (Loader 2000),
    summed for ``v < 1/2``; beyond, the direct form loses at most a factor 2.5.
    """
    d = x - m
    v = d / (x + m)
    near = v < 0.5
    w = np.where(near, v, 0.0)
    power = w.copy()
    series = np.zeros_like(w)
    for j in range(1, 30):  # v < 0.5: v**(2j) < 4**-29 is far below double precision
        power = power * w * w
        series = series + power / (2 * j + 1)
    with np.errstate(divide="ignore"):
        far = x * np.log(x / m) - d  # x >= 3 m: cancels at most a factor 2.5
    return np.where(near, d * v + 2.0 * x * series, far)


def _poisson_log_pmf(k: FloatArray, mu: FloatArray) -> FloatArray:
    """``log(exp(-mu) mu**k / k!)`` for whole ``k >= mu > 0``, ``k >= 1``."""
    return -_stirlerr(k) - _bd0(k, mu) - 0.5 * np.log(2.0 * np.pi * k)


def _erlang_b_ratio(c: FloatArray, a: FloatArray) -> FloatArray:
    """Erlang B as Poisson pmf / cdf, used where ``c >= a`` (cdf >= about 1/2)."""
    result = np.ones_like(a)  # c == 0 (then a == 0 too): everything is blocked
    result[(c > 0) & (a == 0)] = 0.0
    pos = (c > 0) & (a > 0)
    cp, ap = c[pos], a[pos]
    result[pos] = np.exp(_poisson_log_pmf(cp, ap)) / special.pdtr(cp, ap)
    return result


def _erlang_b_series(c: FloatArray, a: FloatArray) -> FloatArray:
    """Erlang B from ``1/B = sum_j prod_{i<j} (c-i)/a``, used where ``c < a``.

    All terms are positive and decrease, so the sum is accurate to a few ulp; at most
    about ``min(c, 9 sqrt(a))`` terms are needed.
    """
    inverse = np.ones_like(a)
    term = np.ones_like(a)
    active = np.ones(a.shape, dtype=bool)
    j = 0
    while np.any(active):
        term = np.where(active, term * np.maximum(c - j, 0.0) / a, 0.0)
        inverse += term
        active &= term > _SERIES_EPS * inverse
        j += 1
    return 1.0 / inverse


def _erlang_b_array(c: FloatArray, a: FloatArray) -> FloatArray:
    c, a = np.broadcast_arrays(c, a)
    result = np.empty(c.shape)
    below = c < a
    result[below] = _erlang_b_series(c[below], a[below])
    result[~below] = _erlang_b_ratio(c[~below], a[~below])
    return result


def erlang_b(agents: npt.ArrayLike, load: npt.ArrayLike) -> FloatOrArray:
    """Blocking probability of the M/M/c/c loss system (Erlang B).

    Parameters
    ----------
    agents
        Number of servers ``c`` (whole, ``>= 0``).
    load
        Offered load ``a`` [Erlang].

    Returns
    -------
    float or ndarray
        ``B(c, a) = (a**c / c!) / sum_{k<=c} a**k / k!``; 1 when ``c = 0``.

    Notes
    -----
    No factorials are formed. For ``c < a`` the exact series
    ``1/B = sum_{j=0}^{c} c!/((c-j)! a**j)`` of decreasing positive terms is summed; for
    ``c >= a``, ``B = pmf(c; a) / cdf(c; a)`` of a Poisson(a) variable, with the pmf in
    Loader's saddle-point form and the cdf from :func:`scipy.special.pdtr`. Both are
    accurate to a few ulp for ``c`` in the thousands.

    References
    ----------
    .. [1] Jagerman, D. L. (1974). Some properties of the Erlang loss function.
       *Bell System Technical Journal* 53(3), 525-551.
    .. [2] Loader, C. (2000). Fast and accurate computation of binomial probabilities.
       Technical report, Bell Labs.
    """
    c = _agents(agents)
    a = _values(load, "load", positive=False, allow_inf=False)
    return _out(_erlang_b_array(c, a))


def _erlang_c_array(c: FloatArray, a: FloatArray) -> FloatArray:
    c, a = np.broadcast_arrays(c, a)
    b = _erlang_b_array(c, a)
    stable = a < c
    with np.errstate(divide="ignore", invalid="ignore"):
        waiting = c * b / (c - a * (1.0 - b))
    return np.where(stable, waiting, 1.0)


def erlang_c(agents: npt.ArrayLike, load: npt.ArrayLike) -> FloatOrArray:
    """Probability of waiting in the M/M/c queue (Erlang C).

    Parameters
    ----------
    agents
        Number of agents ``c`` (whole, ``>= 0``).
    load
        Offered load ``a`` [Erlang].

    Returns
    -------
    float or ndarray
        ``C(c, a) = c B / (c - a (1 - B))`` for ``a < c``, and 1 when ``a >= c``.

    References
    ----------
    .. [1] Gans, N., Koole, G. and Mandelbaum, A. (2003). Telephone call centers:
       tutorial, review, and research prospects. *M&SOM* 5(2), 79-141.
    .. [2] Cooper, R. B. (1981). *Introduction to Queueing Theory*, 2nd ed., ch. 3.
    """
    c = _agents(agents)
    a = _values(load, "load", positive=False, allow_inf=False)
    return _out(_erlang_c_array(c, a))


def erlang_c_metrics(
    rate_per_hour: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    agents: npt.ArrayLike,
    within_s: npt.ArrayLike,
) -> ErlangCMetrics:
    """Contact-centre metrics of the M/M/c (Erlang C) queue.

    Parameters
    ----------
    rate_per_hour
        Arrival rate ``lambda`` [contacts/h].
    aht_s
        Average handling time ``1/mu`` [s] (exponential).
    agents
        Number of agents ``c``.
    within_s
        Service-level threshold [s]; ``inf`` is allowed.

    Returns
    -------
    ErlangCMetrics
        ``p_wait = C``, ``asa = C AHT / (c - a)`` [s],
        ``service_level = 1 - C exp(-(c - a) t / AHT)``, ``occupancy = a / c`` and
        ``load = a``. For ``a >= c``: ``p_wait = 1``, ``asa = inf``,
        ``service_level = 0``, ``occupancy = 1``.

    References
    ----------
    .. [1] Gans, N., Koole, G. and Mandelbaum, A. (2003). Telephone call centers:
       tutorial, review, and research prospects. *M&SOM* 5(2), 79-141, section 4.1.
    """
    rate = _values(rate_per_hour, "rate_per_hour", positive=False, allow_inf=False)
    aht = _values(aht_s, "aht_s", positive=True, allow_inf=False)
    c = _agents(agents)
    t = _values(within_s, "within_s", positive=False, allow_inf=True)
    rate, aht, c, t = np.broadcast_arrays(rate, aht, c, t)
    a = rate * aht / _SECONDS_PER_HOUR
    p_wait = _erlang_c_array(c, a)
    stable = a < c
    gap = np.where(stable, c - a, 1.0)
    return ErlangCMetrics(
        p_wait=_out(p_wait),
        asa=_out(np.where(stable, p_wait * aht / gap, np.inf)),
        service_level=_out(np.where(stable, 1.0 - p_wait * np.exp(-gap * t / aht), 0.0)),
        occupancy=_out(np.where(stable, a / np.where(stable, c, 1.0), 1.0)),
        load=_out(a),
    )


# --------------------------------------------------------------------------- Erlang A


def _logsumexp(x: FloatArray) -> float:
    """``log(sum(exp(x)))`` for a 1-d array with at least one finite entry."""
    top = float(np.max(x))
    return top + math.log(float(np.sum(np.exp(x - top))))


def _death_rates(n: FloatArray, mu: float, theta: float, c: int) -> FloatArray:
    return np.minimum(n, c) * mu + np.maximum(n - c, 0.0) * theta


def _death_rate(n: int, mu: float, theta: float, c: int) -> float:
    return min(n, c) * mu + max(n - c, 0) * theta


def _mode(lam: float, mu: float, theta: float, c: int) -> int:
    """Number of states k >= 1 with birth rate >= death rate (the chain's mode)."""
    if lam <= c * mu:
        return min(math.floor(lam / mu), c)
    return c + math.floor((lam - c * mu) / theta)


def _initial_extra(lam: float, mu: float, theta: float, c: int, start: int) -> int:
    """Guess how many states past ``start`` (>= mode, >= c) the tail needs."""
    drift = max(math.log(_death_rate(start + 1, mu, theta, c) / lam), 0.0)
    curvature = 2.0 * -_LOG_TAIL * theta / lam
    return math.ceil(2.0 * -_LOG_TAIL / (drift + math.sqrt(drift * drift + curvature))) + 16


def _anchored_log_weights(
    lam: float, mu: float, theta: float, c: int, mode: int, n_max: int
) -> FloatArray:
    """``log(pi_n / pi_mode)`` for n = 0..n_max, summed outwards from the mode."""
    log_ratio = np.log(lam / _death_rates(np.arange(1.0, n_max + 1.0), mu, theta, c))
    logw = np.empty(n_max + 1)
    logw[mode] = 0.0
    logw[mode + 1 :] = np.cumsum(log_ratio[mode:])
    logw[:mode] = -np.cumsum(log_ratio[:mode][::-1])[::-1]
    return logw


def _tail_is_negligible(
    logw: FloatArray, lam: float, mu: float, theta: float, c: int, mode: int
) -> bool:
    """Geometric bound on the mass past the last state, relative to the queue's peak.

    The peak of the states ``n >= c`` is ``max(c, mode)``, so conditional quantities
    given waiting stay accurate even when waiting is rare.
    """
    n_max = logw.size - 1
    rho = lam / _death_rate(n_max + 1, mu, theta, c)
    if rho >= 1.0:
        return False
    log_tail = logw[n_max] + math.log(rho) - math.log1p(-rho)
    return log_tail < logw[max(c, mode)] + _LOG_TAIL


def _log_stationary(lam: float, mu: float, theta: float, c: int) -> FloatArray:
    """Normalised ``log pi_n`` of the M/M/c+M chain, adaptively truncated."""
    mode = _mode(lam, mu, theta, c)
    start = max(mode, c)
    extra = _initial_extra(lam, mu, theta, c, start)
    while True:
        n_max = start + extra
        if n_max > _MAX_STATES:
            raise ValueError(
                f"Erlang A chain needs more than {_MAX_STATES} states (patience too long "
                "for this load); use patience_s=inf for the Erlang C limit"
            )
        logw = _anchored_log_weights(lam, mu, theta, c, mode, n_max)
        if _tail_is_negligible(logw, lam, mu, theta, c, mode):
            return logw - _logsumexp(logw)
        extra *= 2


@dataclass(frozen=True, slots=True)
class _TaggedLogs:
    """Per queue position i (arrival finds state c+i): logs of phase quantities."""

    served: FloatArray  # log S_i = log P(served | i)
    abandoned: FloatArray  # log (1 - S_i)
    wait_served: FloatArray  # log E[W 1{served} | i]
    wait_abandoned: FloatArray  # log E[W 1{abandon} | i]


def _tagged_logs(mu: float, theta: float, c: int, size: int) -> _TaggedLogs:
    """Phase analysis of a tagged arrival with i = 0..size-1 customers ahead.

    With k customers ahead the phase ends at rate ``R_k = c mu + (k+1) theta``; it
    advances with probability ``p_k = (c mu + k theta) / R_k``, otherwise the tagged
    customer abandons. Phase durations do not depend on the outcome, so
    ``E[W 1{served} | i] = S_i sum_{k<=i} 1/R_k`` (equivalently the recursion
    ``M_i = S_i/R_i + p_i M_{i-1}``), and ``E[W 1{abandon} | i]`` obeys
    ``A_i = (1 - S_i)/R_i + p_i A_{i-1}``, i.e. ``S_i sum_{k<=i} (1 - S_k)/(S_k R_k)``.
    """
    rate = c * mu + (np.arange(size) + 1.0) * theta
    log_s = np.cumsum(np.log1p(-theta / rate))
    log_1ms = np.log(-np.expm1(log_s))
    return _TaggedLogs(
        served=log_s,
        abandoned=log_1ms,
        wait_served=log_s + np.log(np.cumsum(1.0 / rate)),
        wait_abandoned=log_s + np.logaddexp.accumulate(log_1ms - log_s - np.log(rate)),
    )


def _served_within(
    log_queue: FloatArray, lam: float, mu: float, theta: float, c: int, t: float
) -> float:
    """``P(served and 0 < W <= t)``.

    The offered wait has density ``pi_c c mu exp((lam/theta)(1 - e^{-theta v}) - c mu v)``
    on ``v > 0``; integrating ``e^{-theta v}`` times it over ``(t, inf)`` gives
    ``P(served, W > t) = (c mu / lam) e^{h(t)} sum_{i>=1} pi_{c+i} e^{-theta t (i-1)}``
    with ``h(t) = (lam/theta)(1 - e^{-theta t}) - (c mu + theta) t``.
    """
    log_scale = math.log(c * mu / lam)
    tail = log_queue[1:]
    log_served = log_scale + _logsumexp(tail)
    if math.isinf(t):
        return math.exp(log_served)
    h = (lam / theta) * -math.expm1(-theta * t) - (c * mu + theta) * t
    shift = theta * t * np.arange(tail.size)
    log_late = log_scale + h + _logsumexp(tail - shift)
    return max(math.exp(log_served) - math.exp(log_late), 0.0)


def _erlang_a_finite(lam: float, mu: float, theta: float, c: int, t: float) -> ErlangAMetrics:
    """Erlang A metrics for one point with ``lam > 0`` and ``theta > 0`` (per second)."""
    log_pi = _log_stationary(lam, mu, theta, c)
    pi = np.exp(log_pi)
    p_below = min(float(pi[:c].sum()), 1.0)
    p_wait = min(float(pi[c:].sum()), 1.0)
    e_queue = float(pi[c:] @ np.arange(pi.size - c))
    e_busy = float(pi[:c] @ np.arange(c)) + c * p_wait
    log_queue = log_pi[c:]
    tagged = _tagged_logs(mu, theta, c, log_queue.size)
    p_answered = min(p_below + math.exp(_logsumexp(log_queue + tagged.served)), 1.0)
    wait_served = math.exp(_logsumexp(log_queue + tagged.wait_served))
    log_ab = _logsumexp(log_queue + tagged.abandoned)
    sl = min(p_below + _served_within(log_queue, lam, mu, theta, c, t), 1.0)
    return ErlangAMetrics(
        p_wait=p_wait,
        p_abandon=theta * e_queue / lam,
        p_answered=p_answered,
        asa=wait_served / p_answered,
        mean_wait=e_queue / lam,
        mean_wait_abandoned=math.exp(_logsumexp(log_queue + tagged.wait_abandoned) - log_ab),
        service_level=sl,
        service_level_answered=min(sl / p_answered, 1.0),
        occupancy=min(e_busy / c, 1.0),
        load=lam / mu,
    )


def _erlang_a_point(lam: float, mu: float, theta: float, c: int, t: float) -> ErlangAMetrics:
    """One Erlang A point (rates per second); ``theta = 0`` is the Erlang C limit."""
    if lam == 0.0:
        return ErlangAMetrics(0.0, 0.0, 1.0, 0.0, 0.0, math.nan, 1.0, 1.0, 0.0, 0.0)
    if theta > 0.0:
        return _erlang_a_finite(lam, mu, theta, c, t)
    m = erlang_c_metrics(lam * _SECONDS_PER_HOUR, 1.0 / mu, c, t)
    return ErlangAMetrics(
        p_wait=m.p_wait,
        p_abandon=0.0,
        p_answered=1.0,
        asa=m.asa,
        mean_wait=m.asa,
        mean_wait_abandoned=math.nan,
        service_level=m.service_level,
        service_level_answered=m.service_level,
        occupancy=m.occupancy,
        load=m.load,
    )


def erlang_a_metrics(
    rate_per_hour: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    agents: npt.ArrayLike,
    patience_s: npt.ArrayLike,
    within_s: npt.ArrayLike,
) -> ErlangAMetrics:
    """Contact-centre metrics of the M/M/c+M (Erlang A) queue with exponential patience.

    Parameters
    ----------
    rate_per_hour
        Arrival rate ``lambda`` [contacts/h].
    aht_s
        Average handling time ``1/mu`` [s] (exponential).
    agents
        Number of agents ``c`` (whole, ``>= 1``).
    patience_s
        Mean patience ``1/theta`` [s] (exponential); ``inf`` gives Erlang C.
    within_s
        Service-level threshold [s]; ``inf`` is allowed.

    Returns
    -------
    ErlangAMetrics
        See :class:`ErlangAMetrics`. Always stable for finite patience, including
        overload (``a > c``). With ``patience_s = inf`` the Erlang C values are
        returned (``p_abandon = 0``, ``mean_wait = asa``, ``mean_wait_abandoned = nan``,
        and the unstable convention of :func:`erlang_c_metrics` for ``a >= c``). With
        zero arrival rate ``mean_wait_abandoned`` is ``nan``.

    Notes
    -----
    The stationary distribution of the birth-death chain (birth ``lambda``, death
    ``min(n, c) mu + max(n - c, 0) theta``) is built in log space outwards from its mode
    and truncated adaptively (neglected mass below ``e**-40`` of the largest state and
    of state ``c``). An arrival finding ``c + i`` customers (PASTA) is served with
    probability ``S_i = prod_{k=0}^{i} (c mu + k theta) / (c mu + (k+1) theta)``; the
    waits follow from the phase structure (see ``_tagged_logs``). The service level
    uses the closed-form density of the offered wait,
    ``pi_c c mu exp((lambda/theta)(1 - exp(-theta v)) - c mu v)``, integrated against
    the survival ``exp(-theta v)`` of the tagged customer's patience; it is evaluated
    as ``P(answered after waiting) - P(answered after waiting > t)``, both sums over the
    chain. The second carries exponents of size ``(lambda - c mu) t`` and ``theta t n``
    (``n`` queue states), whose rounding (``eps`` times their size) makes the service
    level accurate to about ``1e-13`` absolute, not relative when it is itself tiny
    (over 4,000 random cases with up to 40 agents, loads up to 3 and ``t`` up to 10
    minutes, the service level never fell by more than ``2e-14`` as ``t`` grew). The
    other metrics are accurate to about ``1e-13`` relative.

    References
    ----------
    .. [1] Garnett, O., Mandelbaum, A. and Reiman, M. (2002). Designing a call center
       with impatient customers. *M&SOM* 4(3), 208-227.
    .. [2] Mandelbaum, A. and Zeltyn, S. (2007). Service engineering in action: the
       Palm/Erlang-A queue, with applications to call centers. In *Advances in
       Services Innovations*, Springer, 17-45.
    .. [3] Gans, N., Koole, G. and Mandelbaum, A. (2003). Telephone call centers:
       tutorial, review, and research prospects. *M&SOM* 5(2), 79-141.
    """
    rate = _values(rate_per_hour, "rate_per_hour", positive=False, allow_inf=False)
    aht = _values(aht_s, "aht_s", positive=True, allow_inf=False)
    c = _agents(agents, minimum=1)
    patience = _values(patience_s, "patience_s", positive=True, allow_inf=True)
    t = _values(within_s, "within_s", positive=False, allow_inf=True)
    rate, aht, c, patience, t = np.broadcast_arrays(rate, aht, c, patience, t)
    values = np.empty((len(fields(ErlangAMetrics)), *rate.shape))
    for idx in np.ndindex(rate.shape):
        point = _erlang_a_point(
            float(rate[idx]) / _SECONDS_PER_HOUR,
            1.0 / float(aht[idx]),
            1.0 / float(patience[idx]),
            int(c[idx]),
            float(t[idx]),
        )
        values[(slice(None), *idx)] = astuple(point)
    return ErlangAMetrics(*(_out(v) for v in values))


# --------------------------------------------------------------------------- staffing


@dataclass(frozen=True, slots=True)
class _Targets:
    target_sl: float | None
    within_s: float
    max_asa_s: float | None
    max_abandon: float | None
    max_occupancy: float | None

    def met_by(self, m: ErlangCMetrics | ErlangAMetrics) -> bool:
        if self.target_sl is not None and not m.service_level >= self.target_sl:
            return False
        if self.max_asa_s is not None and not m.asa <= self.max_asa_s:
            return False
        if self.max_occupancy is not None and not m.occupancy <= self.max_occupancy:
            return False
        return not (
            self.max_abandon is not None
            and isinstance(m, ErlangAMetrics)
            and not m.p_abandon <= self.max_abandon
        )


def _check_fraction(value: float | None, name: str, *, low_open: bool, high_open: bool) -> None:
    if value is None:
        return
    ok_low = value > 0 if low_open else value >= 0
    ok_high = value < 1 if high_open else value <= 1
    if not (ok_low and ok_high):
        lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"{name} must be in {lo}0, 1{hi}, got {value!r}")


def _make_targets(
    target_sl: float | None,
    within_s: float | None,
    max_asa_s: float | None,
    max_abandon: float | None,
    max_occupancy: float | None,
    erlang_a: bool,
) -> _Targets:
    given = (target_sl, max_asa_s, max_abandon, max_occupancy)
    if all(v is None for v in given):
        raise ValueError(
            "required_agents needs at least one target: target_sl (with within_s), "
            "max_asa_s, max_abandon or max_occupancy"
        )
    if (target_sl is None) != (within_s is None):
        raise ValueError("target_sl and within_s must be given together")
    if within_s is not None and not within_s >= 0:
        raise ValueError(f"within_s must be >= 0, got {within_s!r}")
    if max_asa_s is not None and not max_asa_s > 0:
        raise ValueError(f"max_asa_s must be positive, got {max_asa_s!r}")
    if max_abandon is not None and not erlang_a:
        raise ValueError("max_abandon needs a finite patience_s (Erlang C has no abandonment)")
    _check_fraction(target_sl, "target_sl", low_open=False, high_open=True)
    _check_fraction(max_abandon, "max_abandon", low_open=True, high_open=False)
    _check_fraction(max_occupancy, "max_occupancy", low_open=True, high_open=False)
    t = 0.0 if within_s is None else float(within_s)
    return _Targets(target_sl, t, max_asa_s, max_abandon, max_occupancy)


def _smallest_meeting(ok: Callable[[int], bool], start: int) -> int:
    """Smallest ``c >= start`` with ``ok(c)``, for ``ok`` monotone in ``c``.

    Exponential search from ``start`` then bisection: O(log(answer - start)) calls.
    """
    if ok(start):
        return start
    lo, step = start, 1  # invariant: ok(lo) is False
    while not ok(lo + step):
        lo += step
        step *= 2
        if step > _MAX_SEARCH_STEP:
            raise RuntimeError("required_agents: no staffing level meets the targets")
    hi = lo + step
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _lower_bound(a: float, targets: _Targets, erlang_a: bool) -> int:
    """A staffing level below which no target can be met (so the search may start there)."""
    if not erlang_a:
        start = math.floor(a) + 1  # Erlang C is only stable for c > a
        if targets.max_occupancy is not None:
            start = max(start, math.floor(a / targets.max_occupancy))
        return start
    start = 1  # SL <= P(answered) <= c / a and P(abandon) >= 1 - c / a
    if targets.target_sl is not None:
        start = max(start, math.floor(targets.target_sl * a))
    if targets.max_abandon is not None:
        start = max(start, math.floor(a * (1.0 - targets.max_abandon)))
    return start


def _required_point(rate: float, aht: float, patience: float, targets: _Targets) -> int:
    if rate == 0.0:
        return 0
    a = rate * aht / _SECONDS_PER_HOUR
    erlang_a = math.isfinite(patience)

    def ok(c: int) -> bool:
        if erlang_a:
            m: ErlangCMetrics | ErlangAMetrics = erlang_a_metrics(
                rate, aht, c, patience, targets.within_s
            )
        else:
            m = erlang_c_metrics(rate, aht, c, targets.within_s)
        return targets.met_by(m)

    return _smallest_meeting(ok, _lower_bound(a, targets, erlang_a))


def required_agents(
    rate_per_hour: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    *,
    target_sl: float | None = None,
    within_s: float | None = None,
    max_asa_s: float | None = None,
    max_abandon: float | None = None,
    max_occupancy: float | None = None,
    patience_s: npt.ArrayLike | None = None,
) -> int | npt.NDArray[np.int64]:
    """Smallest number of agents meeting every given target.

    Parameters
    ----------
    rate_per_hour
        Arrival rate [contacts/h].
    aht_s
        Average handling time [s].
    target_sl, within_s
        Service-level target in ``[0, 1)`` and its threshold [s]; given together. With
        patience the service level counts abandoners against the target
        (:attr:`ErlangAMetrics.service_level`).
    max_asa_s
        Largest acceptable average speed of answer [s] (answered contacts).
    max_abandon
        Largest acceptable abandonment fraction in ``(0, 1]``; needs ``patience_s``.
    max_occupancy
        Largest acceptable occupancy in ``(0, 1]``.
    patience_s
        Mean patience [s]. ``None`` or ``inf``: Erlang C (M/M/c); finite: Erlang A.

    Returns
    -------
    int or ndarray of int
        Required agents; 0 for zero arrival rate. Erlang C staffing is always at least
        ``floor(a) + 1`` (stability).

    Raises
    ------
    ValueError
        If no target is given, a target is out of range, or ``max_abandon`` is given
        without a finite patience.

    Notes
    -----
    Starts from a lower bound (``floor(a) + 1`` for Erlang C; ``floor(target_sl a)`` and
    ``floor((1 - max_abandon) a)`` for Erlang A), then exponential and binary search,
    which assumes every metric is monotone in ``c`` (true for the service level,
    ASA, abandonment and occupancy of Erlang C and A).

    References
    ----------
    .. [1] Gans, N., Koole, G. and Mandelbaum, A. (2003). Telephone call centers:
       tutorial, review, and research prospects. *M&SOM* 5(2), 79-141.
    .. [2] Garnett, O., Mandelbaum, A. and Reiman, M. (2002). Designing a call center
       with impatient customers. *M&SOM* 4(3), 208-227.
    """
    rate = _values(rate_per_hour, "rate_per_hour", positive=False, allow_inf=False)
    aht = _values(aht_s, "aht_s", positive=True, allow_inf=False)
    patience = _values(
        np.inf if patience_s is None else patience_s, "patience_s", positive=True, allow_inf=True
    )
    targets = _make_targets(
        target_sl, within_s, max_asa_s, max_abandon, max_occupancy, bool(np.all(patience < np.inf))
    )
    result = np.vectorize(
        lambda r, h, p: _required_point(float(r), float(h), float(p), targets), otypes=[np.int64]
    )(rate, aht, patience)
    return int(result) if result.ndim == 0 else result


# --------------------------------------------------------------------------- priorities


def priority_waits(
    rates_per_hour: npt.ArrayLike, aht_s: npt.ArrayLike, agents: npt.ArrayLike
) -> FloatArray:
    """Mean waits in the non-preemptive priority M/M/c queue with a common AHT.

    Parameters
    ----------
    rates_per_hour
        Arrival rate per class [contacts/h], last axis = classes, class 1 (index 0)
        has the highest priority. Leading axes broadcast with ``aht_s`` and ``agents``.
    aht_s
        Average handling time [s], the same for all classes.
    agents
        Number of agents ``c``.

    Returns
    -------
    ndarray
        Mean wait per class [s], same shape as the broadcast rates:
        ``W_k = (C(c, a) / (c mu)) / ((1 - sigma_{k-1}) (1 - sigma_k))`` with
        ``sigma_k = sum_{i<=k} lambda_i / (c mu)`` and ``a`` the total load; ``inf`` where
        ``sigma_k >= 1``. When the total load exceeds ``c``, ``C = 1`` and classes with
        ``sigma_k < 1`` keep finite waits. The ``lambda``-weighted mean of the ``W_k``
        equals the FCFS Erlang C mean wait (work conservation).

    References
    ----------
    .. [1] Cobham, A. (1954). Priority assignment in waiting line problems.
       *Journal of the Operations Research Society of America* 2(1), 70-76.
    .. [2] Gans, N., Koole, G. and Mandelbaum, A. (2003). Telephone call centers:
       tutorial, review, and research prospects. *M&SOM* 5(2), 79-141.
    """
    lam = _values(rates_per_hour, "rates_per_hour", positive=False, allow_inf=False)
    if lam.ndim == 0 or lam.shape[-1] == 0:
        raise ValueError("rates_per_hour must have at least one class on its last axis")
    lam = lam / _SECONDS_PER_HOUR
    aht = _values(aht_s, "aht_s", positive=True, allow_inf=False)[..., None]
    c = _agents(agents)[..., None]
    lam, aht, c = np.broadcast_arrays(lam, aht, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.cumsum(lam, axis=-1) * aht / c
        previous = np.concatenate([np.zeros_like(sigma[..., :1]), sigma[..., :-1]], axis=-1)
        p_wait = _erlang_c_array(c[..., :1], lam.sum(axis=-1, keepdims=True) * aht[..., :1])
        waits = (p_wait * aht / c) / ((1.0 - previous) * (1.0 - sigma))
    return np.where((c > 0) & (sigma < 1.0), waits, np.inf)
