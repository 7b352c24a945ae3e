"""The cost-versus-service Pareto frontier."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["pareto_mask"]


def pareto_mask(cost: npt.ArrayLike, service_level: npt.ArrayLike) -> np.ndarray:
    """Which points are Pareto-optimal: no other point is as cheap and serves better.

    A point is on the frontier when every cheaper-or-equal point has a lower
    service level. Of identical points only the first is flagged; NaN points never.

    Parameters
    ----------
    cost, service_level
        One value per point (any currency; service level as a share).

    Returns
    -------
    ndarray of bool
        True for the points on the frontier.
    """
    c = np.asarray(cost, dtype=float)
    s = np.asarray(service_level, dtype=float)
    order = np.lexsort((-s, c))  # by cost, then best service first (stable: first wins ties)
    mask = np.zeros(len(c), dtype=bool)
    best = -np.inf
    for k in order:
        if np.isnan(c[k]) or np.isnan(s[k]):
            continue
        if s[k] > best:
            mask[k] = True
            best = s[k]
    return mask
