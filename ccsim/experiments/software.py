"""The versions of the software that decide a run's numbers, for provenance and baselines.

Within one installation the same scenario and seed give bit-identical records. Across
installations three packages can change them: NumPy (its ``Generator`` methods may
return other variates in a new feature release; NEP 19), SimPy (the order of
simultaneous events) and, for the intervals, SciPy. Results and baselines record
these versions so that a difference can be traced to an upgrade.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version

__all__ = ["RECORD_PACKAGES", "software_differences", "software_versions"]

#: Packages whose version can change the contact records of a run.
RECORD_PACKAGES = ("numpy", "simpy")


def software_versions() -> dict[str, str]:
    """Versions of Python, NumPy, SciPy and SimPy in this process."""
    out = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "simpy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - they are dependencies
            out[name] = "unknown"
    return out


def software_differences(then: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """``"numpy 1.26.4 → 2.1.0"`` for each of :data:`RECORD_PACKAGES` whose version differs.

    Packages missing from *then* (an older file that did not record them) are skipped.
    """
    return [
        f"{name} {then[name]} → {now.get(name, 'unknown')}"
        for name in RECORD_PACKAGES
        if name in then and then[name] != now.get(name)
    ]
