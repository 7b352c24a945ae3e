"""Practical margins of the regression check: how far a KPI may move before it matters.

A KPI fails ``ccsim check`` only when its change is statistically significant
*and* larger than its margin. A margin is absolute (in the KPI's own unit),
relative (a share of the baseline mean) or both (whichever is larger).

Defaults, by kind of KPI (``docs/how-to/ci-regression.md`` has the table):

=============  ==========================================================  =====================
kind           metrics                                                     margin
=============  ==========================================================  =====================
ratio          service_level, service_level_answered, p_wait,              1 percentage point
               abandon_rate, occupancy; journeys: first_contact_resolution,
               resolved, lost, open, switched
time           asa, mean_wait, mean_wait_abandoned, aht, max_wait,         5%, at least 1 s
               resolution_time, oldest_age_end
cost           cost, cost_per_contact, cost_per_resolved_issue,            1%
               self_service_cost
count          offered, answered, abandoned, deflected, in_system,         2%, at least 1 contact
               backlog_end, backlog_close, issues
hours          agent_hours, available_hours, busy_hours                    2%
other          any other KPI (kind guessed from its name, else other),     5%
               e.g. contacts_per_issue
=============  ==========================================================  =====================

Overrides come from a YAML side file (``regression.yaml`` in the baseline
folder, or ``--margins FILE``)::

    margins:                          # for every scenario checked against the folder
      service_level: 0.005            # a number: absolute (half a percentage point)
      asa: 10%                        # a percentage: relative to the baseline mean
      aht: {relative: 0.03, absolute: 2}   # both: whichever is larger
      pool.phone.occupancy: 0.02      # one KPI: scope.name.metric
    scenarios:
      voice_day:                      # a baseline file's stem (= the scenario file's stem)
        margins:
          channel.voice.service_level: 0.02

The most specific entry wins: a scenario's ``scope.name.metric``, its metric,
the folder's ``scope.name.metric``, its metric, then the default.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ccsim.errors import CcsimError

__all__ = [
    "DEFAULT_MARGINS",
    "MARGINS_FILE",
    "Margin",
    "MarginPolicy",
    "MarginsError",
    "kpi_key_text",
    "load_margins",
    "margins_for_folder",
    "metric_kind",
    "parse_margin",
]

KpiKey = tuple[str, str, str]

#: Margins file read from a baseline folder when no ``--margins`` is given.
MARGINS_FILE = "regression.yaml"


class MarginsError(CcsimError):
    """A margins file (``regression.yaml`` or ``--margins``) that cannot be used."""


@dataclass(frozen=True, slots=True)
class Margin:
    """How far a KPI may move: ``max(absolute, relative * |baseline mean|)``.

    Attributes
    ----------
    absolute
        In the KPI's unit (a share for ratios, [s] for times, contacts for counts).
    relative
        A share of the baseline mean (0.05 = 5%).
    """

    absolute: float = 0.0
    relative: float = 0.0

    def resolve(self, reference: float) -> float:
        """The margin, in the KPI's unit, around a baseline mean *reference*."""
        rel = self.relative * abs(reference) if math.isfinite(reference) else 0.0
        return max(self.absolute, rel)

    def describe(self) -> str:
        """Short text such as ``5% ≥ 1``, ``0.01`` or ``2%``."""
        parts = []
        if self.relative:
            parts.append(f"{100 * self.relative:g}%")
        if self.absolute or not parts:
            parts.append(f"{self.absolute:g}")
        return " ≥ ".join(parts)


_KINDS: dict[str, tuple[str, ...]] = {
    "ratio": (
        "service_level",
        "service_level_answered",
        "p_wait",
        "abandon_rate",
        "occupancy",
        "first_contact_resolution",
        "resolved",
        "lost",
        "open",
        "switched",
    ),
    "time": (
        "asa",
        "mean_wait",
        "mean_wait_abandoned",
        "aht",
        "max_wait",
        "resolution_time",
        "oldest_age_end",
    ),
    "cost": ("cost", "cost_per_contact", "cost_per_resolved_issue", "self_service_cost"),
    "count": (
        "offered",
        "answered",
        "abandoned",
        "deflected",
        "in_system",
        "backlog_end",
        "backlog_close",
        "issues",
    ),
    "hours": ("agent_hours", "available_hours", "busy_hours"),
}
_KIND_OF = {metric: kind for kind, metrics in _KINDS.items() for metric in metrics}

#: Default margin of each kind of KPI.
DEFAULT_MARGINS: dict[str, Margin] = {
    "ratio": Margin(absolute=0.01),
    "time": Margin(absolute=1.0, relative=0.05),
    "cost": Margin(relative=0.01),
    "count": Margin(absolute=1.0, relative=0.02),
    "hours": Margin(relative=0.02),
    "other": Margin(relative=0.05),
}


def metric_kind(metric: str) -> str:
    """``ratio``, ``time``, ``cost``, ``count``, ``hours`` or ``other``.

    Metrics ccsim does not know yet are classed by their name (``*_rate`` and
    ``service_level*`` are ratios, ``*cost*`` costs, ``*wait*`` and ``*time*``
    times, ``*_hours`` hours).
    """
    if metric in _KIND_OF:
        return _KIND_OF[metric]
    if metric.endswith(("_rate", "_share")) or metric.startswith(("service_level", "p_")):
        return "ratio"
    if "cost" in metric:
        return "cost"
    if "wait" in metric or "time" in metric or "age" in metric.split("_"):
        return "time"
    if metric.endswith("_hours"):
        return "hours"
    return "other"


def kpi_key_text(key: KpiKey) -> str:
    """``channel.voice.service_level``: how KPIs are named in margins and reports."""
    return ".".join(key)


_PERCENT = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*%\s*$")


def parse_margin(value: Any, where: str) -> Margin:
    """A margin from a YAML value: ``0.01`` (absolute), ``"5%"`` (relative) or a mapping.

    Raises
    ------
    MarginsError
        Naming *where* (file and key) and the accepted forms.
    """
    forms = "a number (absolute), a percentage such as 5% (relative) or {absolute: x, relative: y}"
    if isinstance(value, bool):
        raise MarginsError(f"{where}: expected {forms}, got {value!r}")
    if isinstance(value, int | float):
        return _checked(Margin(absolute=float(value)), where)
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match is None:
            raise MarginsError(f"{where}: expected {forms}, got {value!r}")
        return _checked(Margin(relative=float(match.group(1)) / 100.0), where)
    if isinstance(value, Mapping):
        unknown = sorted(set(map(str, value)) - {"absolute", "relative"})
        if unknown or not value:
            raise MarginsError(f"{where}: expected {forms}, got keys {unknown or '(none)'}")
        parts = {}
        for name in ("absolute", "relative"):
            raw = value.get(name, 0.0)
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise MarginsError(f"{where}.{name}: expected a number, got {raw!r}")
            parts[name] = float(raw)
        return _checked(Margin(**parts), where)
    raise MarginsError(f"{where}: expected {forms}, got {value!r}")


def _checked(margin: Margin, where: str) -> Margin:
    if (
        not (math.isfinite(margin.absolute) and math.isfinite(margin.relative))
        or min(margin.absolute, margin.relative) < 0
    ):
        raise MarginsError(f"{where}: a margin must be a finite number ≥ 0")
    return margin


@dataclass(frozen=True, slots=True)
class MarginPolicy:
    """Margins for every KPI: defaults by kind, overridden per folder and per scenario.

    Attributes
    ----------
    general
        Overrides for every scenario, keyed by metric or ``scope.name.metric``.
    per_scenario
        Overrides by baseline file stem, then by metric or ``scope.name.metric``.
    source
        The file the overrides were read from, if any.
    """

    general: Mapping[str, Margin] = field(default_factory=dict)
    per_scenario: Mapping[str, Mapping[str, Margin]] = field(default_factory=dict)
    source: Path | None = None

    def margin(self, key: KpiKey, scenario: str = "") -> Margin:
        """The margin of KPI *key* (scope, name, metric) in scenario *scenario*."""
        full, metric = kpi_key_text(key), key[2]
        own = self.per_scenario.get(scenario, {})
        for table in (own, self.general):
            for name in (full, metric):
                if name in table:
                    return table[name]
        return DEFAULT_MARGINS[metric_kind(metric)]


def load_margins(path: str | Path) -> MarginPolicy:
    """Read a margins file (see the module documentation for its format).

    Raises
    ------
    MarginsError
        If the file is missing, is not YAML, or has an unknown key or a bad margin.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MarginsError(f"{path}: no such margins file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MarginsError(f"{path}: cannot read margins: {_first_line(exc)}") from None
    data = {} if data is None else data
    _only_keys(data, {"margins", "scenarios"}, str(path))
    general = _margin_table(data.get("margins"), f"{path}: margins")
    scenarios = data.get("scenarios") or {}
    _only_mapping(scenarios, f"{path}: scenarios")
    per_scenario = {}
    for stem, section in scenarios.items():
        where = f"{path}: scenarios.{stem}"
        _only_keys(section, {"margins"}, where)
        per_scenario[str(stem)] = _margin_table(section.get("margins"), f"{where}.margins")
    return MarginPolicy(general, per_scenario, path)


def margins_for_folder(folder: str | Path, explicit: str | Path | None = None) -> MarginPolicy:
    """The margins for baselines in *folder*: *explicit* if given, else the folder's
    ``regression.yaml`` if there is one, else the defaults."""
    if explicit is not None:
        return load_margins(explicit)
    path = Path(folder) / MARGINS_FILE
    return load_margins(path) if path.is_file() else MarginPolicy()


def _margin_table(data: Any, where: str) -> dict[str, Margin]:
    data = data or {}
    _only_mapping(data, where)
    return {str(k): parse_margin(v, f"{where}.{k}") for k, v in data.items()}


def _only_mapping(data: Any, where: str) -> None:
    if not isinstance(data, Mapping):
        raise MarginsError(f"{where}: expected a mapping, got {type(data).__name__}")


def _only_keys(data: Any, allowed: set[str], where: str) -> None:
    _only_mapping(data, where)
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise MarginsError(
            f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}"
        )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
