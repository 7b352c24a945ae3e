#!/usr/bin/env python3
"""Fit ccsim scenario inputs to the "Anonymous Bank" call-centre data (Feb 1999).

Standalone script (numpy / scipy / pandas only, no ccsim imports). It reads the
three aggregate CSV files that sit next to it (see README.md in this folder for
their source and licence) and estimates

a. the arrival profile of an average weekday (Sunday-Thursday, call_type ALL),
   its day-to-day variability and the implied gamma "busyness" overdispersion;
b. the handle-time distribution: lognormal fitted by maximum likelihood to the
   10-second histogram (interval-censored likelihood), with and without the
   "< 10 s" artefact bin;
c. a per-hour on-duty staffing profile (distinct agents per hour is only an
   upper bound; the on-duty number is inferred with an Erlang-A model);
d. observed service targets for validating the simulator (abandonment, ASA,
   service level, patience hazard estimate), overall and per hour.

Usage::

    python scenarios/data/anonymous_bank/fit.py            # report + fitted.json
    python scenarios/data/anonymous_bank/fit.py --no-write # report only

All results are written to ``fitted.json`` next to this file; the meaning of
every key is given in that file under ``"_documentation"``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

HERE = Path(__file__).resolve().parent
HOURLY_CSV = HERE / "anonymous_bank_1999_02_hourly.csv"
DAILY_CSV = HERE / "anonymous_bank_1999_02_daily.csv"
DIST_CSV = HERE / "anonymous_bank_1999_02_distributions.csv"
OUT_JSON = HERE / "fitted.json"

CALL_TYPE = "ALL"

# The bank works Sunday-Thursday (Israeli working week). Friday is a short
# morning (07-14h) and Saturday only opens after the Sabbath (19-24h) -- both
# are checked in the data and reported, but they are not "weekdays".
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday")

# An hour is an "opening hour" if its mean weekday arrivals are at least this
# fraction of the busiest hour's mean (cuts the 00h and 06h stragglers).
OPENING_HOUR_MIN_SHARE_OF_PEAK = 0.05

# Anomaly rules (robust z-score = (x - median) / (1.4826 * MAD)):
#  * a whole day is dropped if its total volume has |z| > DAY_Z_MAX
#    (holidays, half days);
#  * a day is dropped if any single opening hour has |z| > HOUR_Z_MAX relative
#    to the same hour on the other weekdays (outages / data gaps / one-off
#    surges that should not shape the "average weekday").
DAY_Z_MAX = 3.5
HOUR_Z_MAX = 5.0

# Assumed mean duration of the "< 10 s" artefact services (uniform on 0-10 s).
SHORT_CALL_MEAN_S = 5.0


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------
def load_data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read the three CSV files (paths relative to this script)."""
    hourly = pd.read_csv(HOURLY_CSV, parse_dates=["date"])
    daily = pd.read_csv(DAILY_CSV, parse_dates=["date"])
    dist = pd.read_csv(DIST_CSV)
    hourly = hourly[hourly.call_type == CALL_TYPE].copy()
    daily = daily[daily.call_type == CALL_TYPE].copy()
    return hourly, daily, dist


def robust_z(x: pd.Series | pd.DataFrame, axis: int = 0):
    """Robust z-score using the median and the normal-consistent MAD."""
    med = x.median(axis=axis)
    mad = (x - med).abs().median(axis=axis) * 1.4826
    return (x - med) / mad


def hour_table(hourly: pd.DataFrame, col: str) -> pd.DataFrame:
    """date x hour table of one hourly column; hours absent from the file are 0."""
    t = hourly.pivot_table(index="date", columns="hour", values=col, aggfunc="sum")
    return t.reindex(columns=range(24)).fillna(0.0)


# ---------------------------------------------------------------------------
# a. Day selection and arrival profile
# ---------------------------------------------------------------------------
def select_days(hourly: pd.DataFrame) -> dict:
    """Choose opening hours and the 'typical weekday' set, with the rules above."""
    wk = hourly[hourly.weekday.isin(WEEKDAYS)]
    arr = hour_table(wk, "arrivals")  # all Sun-Thu days, 24 columns

    mean_by_hour = arr.mean()
    peak = mean_by_hour.max()
    opening = [h for h in range(24) if mean_by_hour[h] >= OPENING_HOUR_MIN_SHARE_OF_PEAK * peak]
    # the opening hours must be contiguous for a scenario; check it
    assert opening == list(range(opening[0], opening[-1] + 1)), opening

    day_z = robust_z(arr.sum(axis=1))
    hour_z = robust_z(arr[opening], axis=0)
    flagged_cells = hour_z.stack()
    flagged_cells = flagged_cells[flagged_cells.abs() > HOUR_Z_MAX]

    excluded = {}
    for d, z in day_z.items():
        if abs(z) > DAY_Z_MAX:
            excluded.setdefault(d, []).append(f"daily total robust z = {z:.1f}")
    for (d, h), z in flagged_cells.items():
        excluded.setdefault(d, []).append(
            f"{h:02d}h arrivals {arr.loc[d, h]:.0f} vs weekday median "
            f"{arr[h].median():.0f} (robust z = {z:+.1f})"
        )
    kept = [d for d in arr.index if d not in excluded]
    return {
        "opening_hours": opening,
        "all_weekday_dates": list(arr.index),
        "kept_dates": kept,
        "excluded": excluded,
        "day_z": day_z,
    }


def arrival_profile(hourly: pd.DataFrame, dates: list, opening: list[int]) -> dict:
    """Mean arrivals per opening hour, lost fraction, day-to-day variability."""
    arr = hour_table(hourly[hourly.date.isin(dates)], "arrivals")
    inside = arr[opening].sum(axis=1)  # daily volume inside opening hours
    total = arr.sum(axis=1)
    lost_fraction = 1.0 - inside.sum() / total.sum()

    n_mean = inside.mean()
    n_var = inside.var(ddof=1)
    cv = math.sqrt(n_var) / n_mean
    cv_b2 = max(0.0, (n_var - n_mean) / n_mean**2)

    # Same, after removing day-of-week means (is the 'busyness' just a
    # day-of-week effect?). Residual variance with k day-of-week groups.
    dow = pd.Series([d.day_name() for d in inside.index], index=inside.index)
    resid = inside - inside.groupby(dow).transform("mean")
    k = dow.nunique()
    resid_var = (resid**2).sum() / (len(inside) - k)
    cv_b2_dow = max(0.0, (resid_var - n_mean) / n_mean**2)

    by_dow = arr[opening].groupby(dow).mean().reindex([w for w in WEEKDAYS if w in set(dow)])
    return {
        "mean": arr[opening].mean(),
        "sd": arr[opening].std(ddof=1),
        "daily_inside": inside,
        "daily_total": total,
        "lost_fraction": lost_fraction,
        "daily_mean": n_mean,
        "daily_sd": math.sqrt(n_var),
        "daily_cv": cv,
        "cv_b2": cv_b2,
        "cv_b": math.sqrt(cv_b2),
        "cv_b_after_dow": math.sqrt(cv_b2_dow),
        "by_weekday": by_dow,
    }


# ---------------------------------------------------------------------------
# b. Handle time: interval-censored lognormal MLE
# ---------------------------------------------------------------------------
def parse_bins(labels: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """'0-10' -> (0, 10); '1200+' -> (1200, inf)."""
    lo, hi = [], []
    for s in labels:
        if s.endswith("+"):
            lo.append(float(s[:-1]))
            hi.append(np.inf)
        else:
            a, b = s.split("-")
            lo.append(float(a))
            hi.append(float(b))
    return np.array(lo), np.array(hi)


def lognorm_cdf(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        z = (np.log(x) - mu) / sigma  # log(0) = -inf -> cdf 0; log(inf) -> cdf 1
    return stats.norm.cdf(z)


def bin_probs(lo, hi, mu, sigma, trunc_at: float = 0.0) -> np.ndarray:
    """P(lo <= X < hi) for X ~ lognormal(mu, sigma), optionally given X >= trunc_at."""
    p = lognorm_cdf(hi, mu, sigma) - lognorm_cdf(lo, mu, sigma)
    if trunc_at > 0:
        p = p / (1.0 - lognorm_cdf(trunc_at, mu, sigma))
    return p


def fit_lognormal_binned(counts, lo, hi, trunc_at: float = 0.0) -> dict:
    """Maximise  sum_i n_i log P(bin_i)  (left-truncated at trunc_at if > 0).

    The last bin is open (1200 s +), i.e. right-censored; every bin is an
    interval-censored observation.
    """
    counts = np.asarray(counts, dtype=float)

    def nll(theta):
        mu, log_sigma = theta
        p = bin_probs(lo, hi, mu, math.exp(log_sigma), trunc_at)
        return -np.sum(counts * np.log(np.clip(p, 1e-300, None)))

    # start from the moments of log bin mid-points
    mid = np.where(np.isinf(hi), lo * 1.25, (lo + np.maximum(hi, 1.0)) / 2)
    mid = np.maximum(mid, 1.0)
    w = counts / counts.sum()
    m0 = np.sum(w * np.log(mid))
    s0 = math.sqrt(np.sum(w * (np.log(mid) - m0) ** 2))
    res = optimize.minimize(
        nll,
        x0=[m0, math.log(s0)],
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-8, "maxiter": 5000},
    )
    mu, sigma = res.x[0], math.exp(res.x[1])

    # standard errors of (mu, sigma) from a finite-difference Hessian
    def nll_ms(v):
        return nll([v[0], math.log(v[1])])

    hess = _num_hessian(nll_ms, np.array([mu, sigma]))
    cov = np.linalg.inv(hess)
    return {
        "mu": mu,
        "sigma": sigma,
        "se_mu": math.sqrt(cov[0, 0]),
        "se_sigma": math.sqrt(cov[1, 1]),
        "loglik": -res.fun,
        "n": counts.sum(),
        "converged": bool(res.success),
    }


def _num_hessian(f, x, rel=1e-4):
    n = len(x)
    h = np.maximum(np.abs(x) * rel, 1e-6)
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = h[i]
            ej[j] = h[j]
            H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * h[i] * h[j]
            )
    return H


def lognormal_moments(mu: float, sigma: float) -> tuple[float, float]:
    """(mean, cv) of lognormal(mu, sigma) -- the ccsim parameterisation."""
    return math.exp(mu + sigma**2 / 2), math.sqrt(math.exp(sigma**2) - 1)


def lognormal_mean_above(t: float, mu: float, sigma: float) -> float:
    """E[X | X >= t] for X ~ lognormal(mu, sigma)."""
    mean = math.exp(mu + sigma**2 / 2)
    a = (math.log(t) - mu) / sigma
    return mean * stats.norm.sf(a - sigma) / stats.norm.sf(a)


def hist_quantile(q: float, counts, lo, hi) -> float:
    """Quantile of a histogram by linear interpolation inside the bin."""
    c = np.cumsum(counts) / np.sum(counts)
    i = int(np.searchsorted(c, q))
    if np.isinf(hi[i]):
        return float("nan")
    prev = c[i - 1] if i > 0 else 0.0
    return float(lo[i] + (hi[i] - lo[i]) * (q - prev) / (c[i] - prev))


def grouped_chi2(obs, exp, min_expected=20.0) -> tuple[float, int]:
    """Pearson chi-square after merging adjacent bins until expected >= min_expected."""
    groups_o, groups_e = [], []
    o_acc = e_acc = 0.0
    for o, e in zip(obs, exp, strict=True):
        o_acc += o
        e_acc += e
        if e_acc >= min_expected:
            groups_o.append(o_acc)
            groups_e.append(e_acc)
            o_acc = e_acc = 0.0
    if e_acc > 0:  # fold the remainder into the last group
        groups_o[-1] += o_acc
        groups_e[-1] += e_acc
    go, ge = np.array(groups_o), np.array(groups_e)
    return float(np.sum((go - ge) ** 2 / ge)), len(go)


def pooled_handle_stats(daily: pd.DataFrame) -> dict:
    """Pooled mean / sd / cv of handle time from per-day (n, mean, sd)."""
    n = daily.handle_n.to_numpy(float)
    m = daily.handle_mean_s.to_numpy(float)
    s = daily.handle_sd_s.to_numpy(float)
    N = n.sum()
    mean = np.sum(n * m) / N
    # total sum of squares = within-day + between-day
    ss = np.sum((n - 1) * s**2) + np.sum(n * (m - mean) ** 2)
    sd = math.sqrt(ss / (N - 1))
    return {
        "n": int(N),
        "mean_s": mean,
        "sd_s": sd,
        "cv": sd / mean,
        "n_lt_10s": int(daily.handle_lt_10s.sum()),
        "share_lt_10s": float(daily.handle_lt_10s.sum() / N),
    }


def handle_time_fit(dist: pd.DataFrame, daily: pd.DataFrame, kept_dates: list) -> dict:
    lo, hi = parse_bins(dist.bin_s)
    counts = dist[f"handle_{CALL_TYPE}"].to_numpy(float)
    n_total = counts.sum()
    n0 = counts[0]  # the "0-10" bin
    p0 = n0 / n_total

    observed = pooled_handle_stats(daily)
    # mean of the >= 10 s calls implied by the daily means, if the short calls
    # average SHORT_CALL_MEAN_S (bounds: 0 .. 10 s -> about +/- 0.3 s)
    mean_ge10_obs = (observed["mean_s"] * observed["n"] - SHORT_CALL_MEAN_S * n0) / (
        observed["n"] - n0
    )

    fit_a = fit_lognormal_binned(counts, lo, hi)  # A: all bins
    fit_b = fit_lognormal_binned(counts[1:], lo[1:], hi[1:], trunc_at=10.0)  # B: >= 10 s

    checkpoints = [10, 30, 60, 120, 180, 300, 600, 900, 1200]
    emp_cdf = {t: float(counts[hi <= t].sum() / n_total) for t in checkpoints}
    emp_cdf_ge10 = {
        t: float(counts[1:][hi[1:] <= t].sum() / counts[1:].sum()) for t in checkpoints if t > 10
    }
    quantiles = [0.10, 0.25, 0.50, 0.75, 0.90, 0.95]
    emp_q = {q: hist_quantile(q, counts, lo, hi) for q in quantiles}
    emp_q_ge10 = {q: hist_quantile(q, counts[1:], lo[1:], hi[1:]) for q in quantiles}

    out = {
        "n_histogram": int(n_total),
        "n_lt_10s": int(n0),
        "share_lt_10s": p0,
        "observed_daily_pooled": observed,
        "observed_mean_ge10_s": mean_ge10_obs,
    }

    for key, fit in (("A_all_bins", fit_a), ("B_ge10s_truncated", fit_b)):
        mu, sigma = fit["mu"], fit["sigma"]
        mean, cv = lognormal_moments(mu, sigma)
        if key.startswith("A"):
            p_fit = bin_probs(lo, hi, mu, sigma)
            chi2, k = grouped_chi2(counts, p_fit * n_total)
            cdf_pairs = {t: (emp_cdf[t], float(lognorm_cdf(t, mu, sigma))) for t in checkpoints}
            q_pairs = {
                q: (emp_q[q], float(math.exp(mu + sigma * stats.norm.ppf(q)))) for q in quantiles
            }
            model_mean_all_served = mean
        else:
            p_fit = bin_probs(lo[1:], hi[1:], mu, sigma, trunc_at=10.0)
            chi2, k = grouped_chi2(counts[1:], p_fit * counts[1:].sum())
            f10 = float(lognorm_cdf(10.0, mu, sigma))
            cdf_pairs = {
                t: (emp_cdf_ge10[t], float((lognorm_cdf(t, mu, sigma) - f10) / (1 - f10)))
                for t in checkpoints
                if t > 10
            }
            q_pairs = {
                q: (
                    emp_q_ge10[q],
                    float(math.exp(mu + sigma * stats.norm.ppf(f10 + q * (1 - f10)))),
                )
                for q in quantiles
            }
            # full model: point mass (mean SHORT_CALL_MEAN_S) + truncated lognormal
            mean_ge10 = lognormal_mean_above(10.0, mu, sigma)
            model_mean_all_served = p0 * SHORT_CALL_MEAN_S + (1 - p0) * mean_ge10
            fit["mean_given_ge10_s"] = mean_ge10
            fit["lognormal_mass_below_10s"] = f10
        fit.update(
            {
                "mean_s": mean,
                "cv": cv,
                "sd_s": mean * cv,
                "model_mean_all_served_s": model_mean_all_served,
                "chi2": chi2,
                "chi2_groups": k,
                "chi2_per_df": chi2 / (k - 3),
                "max_abs_cdf_diff": max(abs(a - b) for a, b in cdf_pairs.values()),
                "cdf_observed_vs_fitted": {
                    str(t): [round(a, 4), round(b, 4)] for t, (a, b) in cdf_pairs.items()
                },
                "quantiles_observed_vs_fitted_s": {
                    str(q): [round(a, 1), round(b, 1)] for q, (a, b) in q_pairs.items()
                },
            }
        )
        out[key] = fit

    # Weekday subset vs all days (daily-level only; the histogram is monthly)
    wk = pooled_handle_stats(daily[daily.date.isin(kept_dates)])
    frisat = pooled_handle_stats(daily[daily.weekday.isin(["Friday", "Saturday"])])
    out["weekday_kept_days_pooled"] = wk
    out["friday_saturday_pooled"] = frisat
    out["weekday_to_all_mean_ratio"] = wk["mean_s"] / observed["mean_s"]
    daily_means = daily[daily.date.isin(kept_dates)].handle_mean_s
    out["weekday_daily_mean_range_s"] = [float(daily_means.min()), float(daily_means.max())]
    # first vs second half of the month (drift check)
    first = pooled_handle_stats(daily[daily.date.dt.day <= 14])
    second = pooled_handle_stats(daily[daily.date.dt.day > 14])
    out["first_half_mean_s"] = first["mean_s"]
    out["second_half_mean_s"] = second["mean_s"]
    return out


# ---------------------------------------------------------------------------
# c. Staffing: Erlang-A (M/M/N+M) inversion
# ---------------------------------------------------------------------------
def erlang_a(lam: float, mu: float, theta: float, n: int, tol: float = 1e-12) -> dict:
    """Stationary M/M/n+M (Erlang-A) metrics from the birth-death chain.

    lam arrivals/s, mu = 1/mean handle, theta = 1/mean patience, n agents.
    """
    # unnormalised probabilities, built until the tail is negligible
    p = [1.0]
    k = 0
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        p.append(p[-1] * lam / death)
        if k > n and p[-1] < tol * max(p) and p[-1] < p[-2]:
            break
        if k > n + 100_000:
            raise RuntimeError("Erlang-A state space did not converge")
    p = np.array(p)
    p /= p.sum()
    states = np.arange(len(p))
    queue = np.maximum(states - n, 0)
    p_wait = p[states >= n].sum()
    p_ab = theta * np.sum(queue * p) / lam
    e_wait_all = np.sum(queue * p) / lam  # Little's law on the queue
    return {
        "p_wait": p_wait,
        "p_abandon": p_ab,
        "frac_served_waited": (p_wait - p_ab) / (1 - p_ab),
        "mean_wait_all_s": e_wait_all,
        "occupancy": lam * (1 - p_ab) / (n * mu),
    }


def invert_erlang_a(target: float, metric: str, lam, mu, theta, n_max: int = 40) -> float:
    """Real-valued N at which the (decreasing) metric equals target (linear interpolation
    between integer N)."""
    vals = [erlang_a(lam, mu, theta, n)[metric] for n in range(1, n_max + 1)]
    for n in range(1, n_max):
        v0, v1 = vals[n - 1], vals[n]
        if v0 >= target >= v1:
            return n + (v0 - target) / (v0 - v1) if v0 != v1 else float(n)
    return 1.0 if target > vals[0] else float(n_max)


def staffing_profile(
    hourly: pd.DataFrame, dates: list, opening: list[int], patience_s: float
) -> pd.DataFrame:
    sub = hourly[hourly.date.isin(dates)]
    n_days = len(dates)
    tabs = {
        c: hour_table(sub, c)[opening]
        for c in [
            "arrivals",
            "served",
            "abandoned",
            "served_waited",
            "sum_handle_time_s",
            "distinct_agents",
            "sum_wait_served_s",
            "sum_wait_abandoned_s",
        ]
    }
    tot = {c: t.sum() for c, t in tabs.items()}

    rows = []
    for h in opening:
        lam_h = tot["arrivals"][h] / n_days  # per hour
        aht = tot["sum_handle_time_s"][h] / tot["served"][h]
        offered = lam_h * aht / 3600
        busy = tot["sum_handle_time_s"][h] / n_days / 3600  # busy agent-hours / hour
        distinct = tot["distinct_agents"][h] / n_days
        obs_ab = tot["abandoned"][h] / tot["arrivals"][h]
        obs_waited = tot["served_waited"][h] / tot["served"][h]
        lam, mu, theta = lam_h / 3600, 1 / aht, 1 / patience_s
        n_wait = invert_erlang_a(obs_waited, "frac_served_waited", lam, mu, theta)
        n_ab = invert_erlang_a(obs_ab, "p_abandon", lam, mu, theta)
        # sensitivity of the P(wait)-based estimate to the patience assumption
        n_wait_pat_half = invert_erlang_a(obs_waited, "frac_served_waited", lam, mu, 2 * theta)
        n_wait_pat_double = invert_erlang_a(obs_waited, "frac_served_waited", lam, mu, theta / 2)
        n_eff = 0.5 * (n_wait + n_ab)
        rows.append(
            {
                "hour": h,
                "arrivals_per_h": lam_h,
                "aht_s": aht,
                "offered_load_erlang": offered,
                "busy_agents": busy,
                "distinct_agents": distinct,
                "occupancy_if_distinct_on_duty": busy / distinct,
                "observed_abandon": obs_ab,
                "observed_frac_served_waited": obs_waited,
                "n_erlang_a_from_waited": n_wait,
                "n_erlang_a_from_abandon": n_ab,
                "n_from_waited_patience_x0.5": n_wait_pat_half,
                "n_from_waited_patience_x2": n_wait_pat_double,
                "n_on_duty_estimate": n_eff,
                "occupancy_at_estimate": busy / n_eff,
            }
        )
    df = pd.DataFrame(rows).set_index("hour")
    # proposed integer profile: nearest integer to the estimate, never below the
    # busy-agent lower bound (rounded up) and never above distinct agents (rounded)
    lower = np.ceil(df.busy_agents)
    upper = np.maximum(np.round(df.distinct_agents), lower)
    df["proposed_agents"] = np.clip(np.floor(df.n_on_duty_estimate + 0.5), lower, upper).astype(int)
    df["ratio_estimate_to_distinct"] = df.n_on_duty_estimate / df.distinct_agents
    # what Erlang-A predicts with the proposed integer staffing (baseline for the
    # simulator calibration; the simulator has lognormal handle times, so expect
    # somewhat more waiting than this)
    pred = [
        erlang_a(r.arrivals_per_h / 3600, 1 / r.aht_s, 1 / patience_s, int(r.proposed_agents))
        for _, r in df.iterrows()
    ]
    df["erlang_a_abandon_at_proposed"] = [m["p_abandon"] for m in pred]
    df["erlang_a_frac_served_waited_at_proposed"] = [m["frac_served_waited"] for m in pred]
    return df


# ---------------------------------------------------------------------------
# d. Observed targets
# ---------------------------------------------------------------------------
def service_metrics(s: pd.Series | dict) -> dict:
    """Standard metrics from summed hourly columns."""
    arrivals, served, ab = s["arrivals"], s["served"], s["abandoned"]
    wait_total = s["sum_wait_served_s"] + s["sum_wait_abandoned_s"]
    return {
        "arrivals": int(arrivals),
        "served": int(served),
        "abandoned": int(ab),
        "abandon_fraction": ab / arrivals,
        "asa_served_s": s["sum_wait_served_s"] / served,
        "mean_wait_abandoned_s": s["sum_wait_abandoned_s"] / ab if ab else None,
        "mean_wait_all_s": wait_total / arrivals,
        "frac_served_waited": s["served_waited"] / served,
        "sl_20s_answered": s["served_wait_le_20s"] / served,
        "patience_estimate_s": wait_total / ab if ab else None,
        "aht_s": s["sum_handle_time_s"] / served,
    }


def observed_targets(
    hourly: pd.DataFrame, daily: pd.DataFrame, dates: list, opening: list[int]
) -> dict:
    cols = [
        "arrivals",
        "served",
        "abandoned",
        "served_waited",
        "sum_wait_served_s",
        "sum_wait_abandoned_s",
        "served_wait_le_20s",
        "sum_handle_time_s",
    ]
    sub = hourly[hourly.date.isin(dates)]
    overall = service_metrics(sub[cols].sum())
    overall_opening = service_metrics(sub[sub.hour.isin(opening)][cols].sum())
    per_hour = {
        int(h): service_metrics(g[cols].sum())
        for h, g in sub[sub.hour.isin(opening)].groupby("hour")
    }
    per_day = {
        d.strftime("%Y-%m-%d"): service_metrics(g[cols].sum()) for d, g in sub.groupby("date")
    }
    day_ab = pd.Series({d: m["abandon_fraction"] for d, m in per_day.items()})
    day_asa = pd.Series({d: m["asa_served_s"] for d, m in per_day.items()})

    # patience: exponential hazard MLE = #abandons / total time at risk (all waits);
    # approximate 95% CI from the Poisson count of abandons
    ab, wt = overall["abandoned"], overall["mean_wait_all_s"] * overall["arrivals"]
    rate_lo, rate_hi = stats.chi2.ppf([0.025, 0.975], [2 * ab, 2 * ab + 2]) / (2 * wt)

    # consistency check against the daily file
    chk = daily[daily.date.isin(dates)].set_index("date")
    by_day = sub.groupby("date")[["arrivals", "served", "abandoned"]].sum()
    consistent = bool((by_day.values == chk[["arrivals", "served", "abandoned"]].values).all())
    return {
        "overall_all_hours": overall,
        "overall_opening_hours": overall_opening,
        "per_hour": per_hour,
        "per_day": per_day,
        "day_to_day": {
            "abandon_fraction_mean": float(day_ab.mean()),
            "abandon_fraction_sd": float(day_ab.std(ddof=1)),
            "abandon_fraction_min": float(day_ab.min()),
            "abandon_fraction_max": float(day_ab.max()),
            "asa_served_mean_s": float(day_asa.mean()),
            "asa_served_sd_s": float(day_asa.std(ddof=1)),
        },
        "patience_exponential_mle_s": overall["patience_estimate_s"],
        "patience_95ci_s": [1 / rate_hi, 1 / rate_lo],
        "hourly_sums_match_daily_file": consistent,
    }


def patience_hazard(dist: pd.DataFrame) -> dict:
    """Piecewise-constant abandonment hazard from the monthly wait histograms.

    At risk at wait t: callers whose wait (served: time to answer; abandoned:
    time to hang up) is >= t; callers answered at once are never at risk.
    Exposure in a 10-s bin = 10 s x (at risk at bin start - half the exits in
    the bin). Reported as the equivalent exponential mean 1/hazard per interval
    (all days of the month, call_type ALL -- the histograms are not split by day).
    """
    served = dist.wait_served_positive.to_numpy(float)
    ab = dist.wait_abandoned.to_numpy(float)
    at_risk = np.cumsum((served + ab)[::-1])[::-1]
    exposure = 10.0 * (at_risk - (served + ab) / 2)
    out = {}
    for lo, hi in [
        (0, 30),
        (30, 60),
        (60, 90),
        (90, 120),
        (120, 170),
        (170, 180),
        (180, 300),
        (300, 1200),
    ]:
        i = slice(lo // 10, hi // 10)
        n_ab, expo = ab[i].sum(), exposure[i].sum()
        out[f"{lo}-{hi}"] = {
            "abandons": int(n_ab),
            "exposure_s": expo,
            "mean_patience_equiv_s": expo / n_ab if n_ab else None,
        }
    out["all"] = {
        "abandons": int(ab.sum()),
        "exposure_s": exposure.sum(),
        "mean_patience_equiv_s": exposure.sum() / ab.sum(),
    }
    return out


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
def _r(x, nd=4):
    """Round floats recursively for JSON."""
    if isinstance(x, dict):
        return {str(k): _r(v, nd) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_r(v, nd) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if not np.isfinite(x) else round(float(x), nd)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


DOCUMENTATION = {
    "source": "input files and their provenance (see README.md)",
    "selection.weekdays": "day names treated as weekdays (Israeli working week Sun-Thu)",
    "selection.opening_hours": "hours h (interval [h:00, h+1:00)) in the weekday profile; "
    "hour = hour of the caller's request for an agent (vru_exit)",
    "selection.rules": "rules used to choose opening hours and to exclude anomalous days",
    "selection.kept_dates / excluded_dates": "weekdays used / dropped (with reasons)",
    "arrivals.mean_per_hour": "mean arrivals (queue entries incl. later abandons) per "
    "opening hour over the kept weekdays, call_type ALL",
    "arrivals.sd_per_hour": "day-to-day standard deviation of those hourly counts",
    "arrivals.mean_per_hour_by_weekday": "same, per day of the week (supplementary)",
    "arrivals.daily_mean / daily_sd / daily_cv": "mean, sd and cv of daily volume inside "
    "the opening hours (kept weekdays)",
    "arrivals.lost_fraction_outside_opening_hours": "share of kept-weekday arrivals that fall "
    "outside the opening hours (dropped)",
    "arrivals.busyness_cv": "cv of a gamma day-level multiplicative factor B (rate = B x "
    "profile): cv_B^2 = max(0, (Var N - E N)/E[N]^2) on daily totals",
    "arrivals.busyness_cv_after_weekday_effect": "same, after subtracting day-of-week means",
    "arrivals.all_sun_thu_mean_per_hour": "sensitivity: profile using all Sun-Thu days",
    "arrivals.friday / saturday": "mean arrivals per hour on Fridays / Saturdays (not used)",
    "handle_time.A_all_bins": "lognormal MLE on all 10-s bins (first bin 0-10 s included, "
    "last bin 1200+ right-censored); mu/sigma on log-seconds, "
    "mean_s/cv = ccsim parameters; chi2 on bins merged to >=20 "
    "expected; cdf/quantiles given as [observed, fitted]",
    "handle_time.B_ge10s_truncated": "lognormal MLE on calls >= 10 s (likelihood left-"
    "truncated at 10 s); the <10 s calls are a separate "
    "point mass (share_lt_10s); model_mean_all_served_s = "
    "share_lt_10s*5 s + (1-share)*E[X|X>=10]",
    "handle_time.observed_daily_pooled": "mean/sd/cv of handle time pooled from the daily "
    "file (all days, exact moments)",
    "handle_time.observed_mean_ge10_s": "implied mean of the >=10 s calls (short calls at 5 s)",
    "handle_time.weekday_kept_days_pooled": "same pooled moments for the kept weekdays",
    "handle_time.recommended": "parameters recommended for the ccsim scenario",
    "staffing.per_hour": "per opening hour: arrivals_per_h, aht_s (sum handle / served), "
    "offered_load_erlang = arrivals*aht/3600, busy_agents = sum handle"
    "/3600 per day (lower bound on agents), distinct_agents (upper "
    "bound), n_erlang_a_from_waited / _from_abandon = real N at which "
    "Erlang-A (exp. patience = weekday hazard estimate) reproduces the "
    "observed fraction of served who waited / abandonment, "
    "n_on_duty_estimate = mean of the two, proposed_agents = its "
    "nearest integer clipped to [ceil(busy), round(distinct)]; "
    "erlang_a_*_at_proposed = Erlang-A prediction with that integer",
    "staffing.proposed_agents": "proposed integer on-duty agents per opening hour",
    "staffing.ratio_estimate_to_distinct_overall": "sum of on-duty estimates / sum of "
    "distinct agents over opening hours",
    "targets.overall_all_hours / overall_opening_hours": "observed metrics over kept weekdays: "
    "abandon_fraction = abandoned/arrivals; asa_served_s = mean wait of served; "
    "mean_wait_abandoned_s; mean_wait_all_s; frac_served_waited (wait > 0); "
    "sl_20s_answered = P(wait <= 20 s | served); patience_estimate_s = (total wait of "
    "served + abandoned)/abandoned (exponential-patience hazard MLE); aht_s",
    "targets.per_hour / per_day": "same metrics per opening hour / per kept day",
    "targets.patience_hazard_month_by_wait_interval": "abandonment hazard per wait "
    "interval (s) from the monthly histograms (all days): abandons, exposure (s at "
    "risk) and 1/hazard as an equivalent exponential mean patience",
    "targets.patience_95ci_s": "95% CI of the exponential patience mean (Poisson count of "
    "abandons over fixed exposure)",
}


def main(write: bool = True) -> dict:
    hourly, daily, dist = load_data()

    # ---- a. selection and arrivals
    sel = select_days(hourly)
    opening, kept = sel["opening_hours"], sel["kept_dates"]
    prof = arrival_profile(hourly, kept, opening)
    prof_all = arrival_profile(hourly, sel["all_weekday_dates"], opening)
    fri = hour_table(hourly[hourly.weekday == "Friday"], "arrivals").mean()
    sat = hour_table(hourly[hourly.weekday == "Saturday"], "arrivals").mean()

    # ---- d. targets first (patience is needed for the staffing inversion)
    targets = observed_targets(hourly, daily, kept, opening)
    patience = targets["patience_exponential_mle_s"]
    targets["patience_hazard_month_by_wait_interval"] = patience_hazard(dist)

    # ---- b. handle time
    ht = handle_time_fit(dist, daily, kept)

    # ---- c. staffing
    staff = staffing_profile(hourly, kept, opening, patience)

    # ---- recommendation for the scenario (see docs/explanation/anonymous_bank.md)
    b = ht["B_ge10s_truncated"]
    ratio = ht["weekday_to_all_mean_ratio"]
    recommended = {
        "distribution": "lognormal",
        "fit": "B_ge10s_truncated (shape), mean rescaled to the weekday workload",
        "mean_s": ht["weekday_kept_days_pooled"]["mean_s"],
        "cv": b["cv"],
        "reason": (
            "B fits the body and tail of the genuine services far better than A; A "
            "inflates sigma to put 6% mass below 10 s. B's own mean applied to every "
            "served call would overstate the workload (the <10 s calls carry almost "
            "none), so the mean is set to the observed pooled weekday mean handle time "
            "(workload-preserving) while keeping B's cv."
        ),
        "alternative_exact_mixture": {
            "point_mass_share": ht["share_lt_10s"],
            "point_mass_mean_s": SHORT_CALL_MEAN_S,
            "lognormal_mean_s": b["mean_s"] * ratio,
            "lognormal_cv": b["cv"],
        },
    }
    ht["recommended"] = recommended

    result = {
        "_documentation": DOCUMENTATION,
        "source": {
            "data": "Anonymous Bank (Israel), February 1999, Technion SEE Center; "
            "aggregates in this folder (see README.md)",
            "files": [HOURLY_CSV.name, DAILY_CSV.name, DIST_CSV.name],
            "call_type": CALL_TYPE,
            "script": Path(__file__).name,
        },
        "selection": {
            "weekdays": list(WEEKDAYS),
            "opening_hours": opening,
            "opening_hours_label": f"{opening[0]:02d}:00-{opening[-1] + 1:02d}:00",
            "rules": {
                "opening_hour_min_share_of_peak": OPENING_HOUR_MIN_SHARE_OF_PEAK,
                "day_total_robust_z_max": DAY_Z_MAX,
                "hour_robust_z_max": HOUR_Z_MAX,
            },
            "n_weekdays_in_month": len(sel["all_weekday_dates"]),
            "kept_dates": [d.strftime("%Y-%m-%d") for d in kept],
            "excluded_dates": {d.strftime("%Y-%m-%d"): r for d, r in sel["excluded"].items()},
            "daily_total_robust_z": {d.strftime("%Y-%m-%d"): z for d, z in sel["day_z"].items()},
        },
        "arrivals": {
            "mean_per_hour": {int(h): v for h, v in prof["mean"].items()},
            "sd_per_hour": {int(h): v for h, v in prof["sd"].items()},
            "mean_per_hour_by_weekday": {
                w: {int(h): v for h, v in r.items()} for w, r in prof["by_weekday"].iterrows()
            },
            "daily_mean": prof["daily_mean"],
            "daily_sd": prof["daily_sd"],
            "daily_cv": prof["daily_cv"],
            "poisson_cv_of_daily_total": 1 / math.sqrt(prof["daily_mean"]),
            "busyness_cv": prof["cv_b"],
            "busyness_cv2": prof["cv_b2"],
            "busyness_cv_after_weekday_effect": prof["cv_b_after_dow"],
            "lost_fraction_outside_opening_hours": prof["lost_fraction"],
            "daily_volume_inside_opening_hours": {
                d.strftime("%Y-%m-%d"): int(v) for d, v in prof["daily_inside"].items()
            },
            "all_sun_thu_mean_per_hour": {int(h): v for h, v in prof_all["mean"].items()},
            "all_sun_thu_daily_mean": prof_all["daily_mean"],
            "all_sun_thu_busyness_cv": prof_all["cv_b"],
            "friday_mean_per_hour": {int(h): v for h, v in fri.items() if v > 0},
            "saturday_mean_per_hour": {int(h): v for h, v in sat.items() if v > 0},
        },
        "handle_time": ht,
        "staffing": {
            "method": "Erlang-A inversion (see _documentation and the explanation page)",
            "patience_used_s": patience,
            "per_hour": {int(h): r for h, r in staff.to_dict(orient="index").items()},
            "proposed_agents": {int(h): int(v) for h, v in staff.proposed_agents.items()},
            "distinct_agents_mean": {int(h): v for h, v in staff.distinct_agents.items()},
            "ratio_estimate_to_distinct_overall": staff.n_on_duty_estimate.sum()
            / staff.distinct_agents.sum(),
            "agent_hours_per_day_proposed": int(staff.proposed_agents.sum()),
            "agent_hours_per_day_distinct": staff.distinct_agents.sum(),
            "busy_agent_hours_per_day": staff.busy_agents.sum(),
            "erlang_a_abandon_at_proposed_overall": float(
                (staff.erlang_a_abandon_at_proposed * staff.arrivals_per_h).sum()
                / staff.arrivals_per_h.sum()
            ),
        },
        "targets": targets,
    }
    result = _r(result)
    print_report(result, staff)
    if write:
        OUT_JSON.write_text(json.dumps(result, indent=1) + "\n")
        print(f"\nwrote {OUT_JSON}")
    return result


def print_report(res: dict, staff: pd.DataFrame) -> None:
    sel, arr, ht, st, tg = (
        res[k] for k in ("selection", "arrivals", "handle_time", "staffing", "targets")
    )
    line = "-" * 78
    print(line)
    print("Anonymous Bank, Feb 1999, call_type ALL -- fitted scenario inputs")
    print(line)
    print(
        f"weekdays: {', '.join(sel['weekdays'])}; {sel['n_weekdays_in_month']} in the month, "
        f"{len(sel['kept_dates'])} kept"
    )
    for d, reasons in sel["excluded_dates"].items():
        print(f"  excluded {d}: " + "; ".join(reasons))
    print(
        f"opening hours: {sel['opening_hours_label']} "
        f"(lost {100 * arr['lost_fraction_outside_opening_hours']:.2f}% of arrivals)"
    )

    print("\n(a) arrivals per hour, average kept weekday")
    print("  hour   mean     sd   [all Sun-Thu]")
    for h, m in arr["mean_per_hour"].items():
        print(
            f"  {int(h):02d}h  {m:6.1f} {arr['sd_per_hour'][h]:6.1f}   "
            f"[{arr['all_sun_thu_mean_per_hour'][h]:6.1f}]"
        )
    print(
        f"  sum of hourly means = {sum(arr['mean_per_hour'].values()):.1f} "
        f"= daily mean {arr['daily_mean']:.1f} (sd {arr['daily_sd']:.1f}, "
        f"cv {arr['daily_cv']:.3f}; Poisson cv {arr['poisson_cv_of_daily_total']:.3f})"
    )
    print(
        f"  busyness cv_B = {arr['busyness_cv']:.3f} "
        f"(after day-of-week means: {arr['busyness_cv_after_weekday_effect']:.3f}; "
        f"all Sun-Thu days: {arr['all_sun_thu_busyness_cv']:.3f})"
    )
    print(f"  Friday: {arr['friday_mean_per_hour']}")
    print(f"  Saturday: {arr['saturday_mean_per_hour']}")

    print("\n(b) handle time (monthly histogram, ALL)")
    obs = ht["observed_daily_pooled"]
    print(
        f"  observed (daily file, pooled): mean {obs['mean_s']:.1f} s, cv {obs['cv']:.3f}, "
        f"<10 s: {obs['n_lt_10s']} ({100 * obs['share_lt_10s']:.1f}%); implied mean of "
        f">=10 s calls {ht['observed_mean_ge10_s']:.1f} s"
    )
    for key in ("A_all_bins", "B_ge10s_truncated"):
        f = ht[key]
        print(
            f"  {key}: mu {f['mu']:.4f}±{f['se_mu']:.4f}, sigma {f['sigma']:.4f}±"
            f"{f['se_sigma']:.4f} -> mean {f['mean_s']:.1f} s, cv {f['cv']:.3f}; model mean "
            f"over all served {f['model_mean_all_served_s']:.1f} s; chi2/df "
            f"{f['chi2_per_df']:.1f}, max|dCDF| {f['max_abs_cdf_diff']:.3f}"
        )
        print(f"     CDF [obs, fit]: {f['cdf_observed_vs_fitted']}")
        print(f"     quantiles [obs, fit]: {f['quantiles_observed_vs_fitted_s']}")
    wk = ht["weekday_kept_days_pooled"]
    fs = ht["friday_saturday_pooled"]
    print(
        f"  kept weekdays: mean {wk['mean_s']:.1f} s, cv {wk['cv']:.3f} (ratio to all "
        f"{ht['weekday_to_all_mean_ratio']:.3f}); Fri+Sat mean {fs['mean_s']:.1f} s; "
        f"daily means {ht['weekday_daily_mean_range_s']}; 1st/2nd half of month "
        f"{ht['first_half_mean_s']:.1f}/{ht['second_half_mean_s']:.1f} s"
    )
    rec = ht["recommended"]
    print(f"  RECOMMENDED: lognormal mean {rec['mean_s']:.1f} s, cv {rec['cv']:.3f}")

    print(f"\n(c) staffing (Erlang-A, patience {st['patience_used_s']:.0f} s)")
    print(
        "  hour  arr/h  AHT  load  busy distinct  N(wait) N(aband) [pat x.5, x2]  N_est  prop  occ"
    )
    for h, r in staff.iterrows():
        print(
            f"  {h:02d}h {r.arrivals_per_h:6.1f} {r.aht_s:4.0f} {r.offered_load_erlang:5.2f} "
            f"{r.busy_agents:5.2f} {r.distinct_agents:6.2f}  {r.n_erlang_a_from_waited:6.2f} "
            f"{r.n_erlang_a_from_abandon:7.2f}  [{r['n_from_waited_patience_x0.5']:5.2f},"
            f"{r['n_from_waited_patience_x2']:5.2f}] {r.n_on_duty_estimate:6.2f} "
            f"{int(r.proposed_agents):4d} {r.occupancy_at_estimate:5.2f}"
        )
    print(
        f"  Erlang-A abandonment at the proposed integers: "
        f"{100 * st['erlang_a_abandon_at_proposed_overall']:.1f}% (per hour: "
        + ", ".join(f"{100 * v:.0f}" for v in staff.erlang_a_abandon_at_proposed)
        + ")"
    )
    print(
        f"  estimate / distinct agents overall = "
        f"{st['ratio_estimate_to_distinct_overall']:.3f}; agent-hours/day: proposed "
        f"{st['agent_hours_per_day_proposed']}, "
        f"distinct {st['agent_hours_per_day_distinct']:.1f}, "
        f"busy {st['busy_agent_hours_per_day']:.1f}"
    )

    print("\n(d) observed targets, kept weekdays")
    o = tg["overall_all_hours"]
    print(
        f"  overall: arrivals {o['arrivals']}, abandon {100 * o['abandon_fraction']:.2f}%, "
        f"ASA served {o['asa_served_s']:.1f} s, mean wait abandoned "
        f"{o['mean_wait_abandoned_s']:.1f} s, served who waited "
        f"{100 * o['frac_served_waited']:.1f}%, SL20 {100 * o['sl_20s_answered']:.1f}%, "
        f"patience {o['patience_estimate_s']:.0f} s (95% CI "
        f"{tg['patience_95ci_s'][0]:.0f}-{tg['patience_95ci_s'][1]:.0f})"
    )
    dd = tg["day_to_day"]
    print(
        f"  day-to-day abandonment {100 * dd['abandon_fraction_mean']:.1f}% ± "
        f"{100 * dd['abandon_fraction_sd']:.1f}% (range {100 * dd['abandon_fraction_min']:.1f}"
        f"-{100 * dd['abandon_fraction_max']:.1f}%)"
    )
    print("  hour  arr   aband%  ASA   Wab   waited%  SL20%  patience")
    for h, m in tg["per_hour"].items():
        print(
            f"  {int(h):02d}h {m['arrivals']:5d} {100 * m['abandon_fraction']:6.1f} "
            f"{m['asa_served_s']:5.1f} {m['mean_wait_abandoned_s']:5.1f} "
            f"{100 * m['frac_served_waited']:7.1f} {100 * m['sl_20s_answered']:6.1f} "
            f"{m['patience_estimate_s']:7.0f}"
        )
    print(
        "  patience hazard by wait interval (month, all days), equivalent mean (s): "
        + ", ".join(
            f"{k}: {v['mean_patience_equiv_s']:.0f}"
            for k, v in tg["patience_hazard_month_by_wait_interval"].items()
        )
    )
    print(f"  hourly sums match daily file: {tg['hourly_sums_match_daily_file']}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-write", action="store_true", help="do not write fitted.json")
    main(write=not ap.parse_args().no_write)
