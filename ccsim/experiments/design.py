"""Designs of sweeps: grids of overrides, parsed, combined and checked before anything runs.

A grid maps dotted scenario paths (as for ``--set``) to the values to try::

    {"pools.phone.agents": [20, 22, 24], "pools.chat.agents": [8, 10]}

combined as a Cartesian product (6 points) or, with ``combine="list"``, zipped
(lists of equal length: point *i* takes value *i* of every path). On the command
line a path's values are ``PATH=a:b:step`` (an inclusive range) or
``PATH=v1,v2,...`` (each value read as YAML, like ``--set``); a design file holds
the same as YAML::

    grid:
      pools.phone.agents: 20:40:2     # or a list: [20, 22, 24]
      routing.live_reserve: [0, 1, 2]
    combine: product                  # or list

Every point is the base scenario with its overrides applied by
:func:`~ccsim.scenario.with_overrides`, so a path that does not exist or a value
that fails validation is reported, naming the path and what is allowed, before
any simulation starts.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import yaml

from ccsim.errors import CcsimError, ErrorItem, ScenarioError, ScenarioWarning
from ccsim.experiments.points import Point
from ccsim.experiments.store import point_key
from ccsim.scenario.loader import with_overrides
from ccsim.scenario.schema import Scenario

__all__ = [
    "Combine",
    "DesignError",
    "expand_grid",
    "load_design",
    "parse_grid",
    "parse_values",
    "point_label",
    "short_paths",
    "sweep_points",
]

Combine = Literal["product", "list"]
_RANGE = re.compile(r"^\s*([-+]?[0-9.]+)\s*:\s*([-+]?[0-9.]+)\s*:\s*([-+]?[0-9.]+)\s*$")
# a:b without a step: YAML 1.1 would read 10:16 as the base-60 number 616.
_STEPLESS = re.compile(r"^\s*([-+]?[0-9.]+)\s*:\s*([-+]?[0-9.]+)\s*$")
#: A sweep larger than this is refused (a typo in a range step, most likely).
MAX_POINTS = 100_000


class DesignError(CcsimError):
    """A grid or design file that cannot be used: empty, malformed, of unequal lengths."""


def parse_values(text: str, where: str = "--grid") -> list[Any]:
    """The values of one grid entry: ``a:b:step`` (inclusive) or ``v1,v2,...`` (YAML each).

    Ranges are exact in decimal (``0.1:0.3:0.1`` gives 0.1, 0.2, 0.3); they give
    ints when start and step are whole numbers.
    """
    match = _RANGE.match(text)
    if match:
        start, stop, step = match.groups()
        return _range(start, stop, step, where)
    match = _STEPLESS.match(text)
    if match:
        a, b = match.groups()
        raise DesignError(
            f"{where}: {text.strip()!r} is not a range: give a step ({a}:{b}:1), "
            f"or quote a single time of day (\"'{a}:{b}'\")"
        )
    try:
        values = yaml.safe_load(f"[{text}]")
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or exc
        raise DesignError(f"{where}: cannot read the values {text!r} ({problem})") from None
    if not isinstance(values, list) or not values or any(v is None for v in values):
        raise DesignError(
            f"{where}: no values in {text!r}; give a range a:b:step or a list v1,v2,..."
        )
    return values


def _range(a: str, b: str, step: str, where: str) -> list[Any]:
    try:
        lo, hi, d = Decimal(a), Decimal(b), Decimal(step)
    except InvalidOperation:
        raise DesignError(f"{where}: {a}:{b}:{step} is not a range of numbers") from None
    if d <= 0:
        raise DesignError(f"{where}: the step of {a}:{b}:{step} must be positive")
    if hi < lo:
        raise DesignError(f"{where}: the range {a}:{b}:{step} is empty (end below start)")
    count = int((hi - lo) / d) + 1
    if count > MAX_POINTS:
        raise DesignError(f"{where}: the range {a}:{b}:{step} has {count:,} values; too many")
    whole = lo == lo.to_integral_value() and d == d.to_integral_value()
    return [int(lo + i * d) if whole else float(lo + i * d) for i in range(count)]


def parse_grid(entries: Sequence[str]) -> dict[str, list[Any]]:
    """``["PATH=VALUES", ...]`` (``--grid`` options) as a grid mapping.

    Raises
    ------
    DesignError
        For an entry without ``=``, an empty path, no values, or a path given twice.
    """
    grid: dict[str, list[Any]] = {}
    for entry in entries:
        path, sep, values = entry.partition("=")
        path = path.strip()
        if not sep or not path or not values.strip():
            raise DesignError(
                f"--grid {entry!r}: expected PATH=a:b:step or PATH=v1,v2,..., "
                "e.g. pools.phone.agents=20:40:2"
            )
        if path in grid:
            raise DesignError(f"--grid: {path} is given twice; give each path once")
        grid[path] = parse_values(values, where=f"--grid {path}")
    return grid


def load_design(path: str | Path) -> tuple[dict[str, list[Any]], Combine]:
    """Read a design file: ``grid: {PATH: [values] or "a:b:step"}`` and ``combine:``."""
    path = Path(path)
    try:  # every scalar as text first: YAML 1.1 would read 20:40:2 as the number 72002
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except OSError as exc:
        raise DesignError(f"{path}: cannot read the design file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise DesignError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("grid"), dict):
        raise DesignError(f"{path}: a design file needs a mapping 'grid: {{PATH: [values]}}'")
    unknown = sorted(set(data) - {"grid", "combine"})
    if unknown:
        raise DesignError(f"{path}: unknown key(s) {', '.join(unknown)}; allowed: grid, combine")
    combine = data.get("combine", "product")
    if combine not in ("product", "list"):
        raise DesignError(f"{path}: combine must be 'product' or 'list', got {combine!r}")
    grid: dict[str, list[Any]] = {}
    for key, values in data["grid"].items():
        where = f"{path}: grid.{key}"
        if isinstance(values, str):
            grid[str(key)] = parse_values(values, where)
        elif isinstance(values, list) and values:
            grid[str(key)] = [_typed(v) for v in values]
        else:
            raise DesignError(f"{where}: give a non-empty list of values or a range a:b:step")
    return grid, combine


def _typed(value: Any) -> Any:
    """A value read as text, typed as ``--set`` would type it."""
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    return yaml.safe_load(value) if value.strip() else value


def expand_grid(grid: Mapping[str, Sequence[Any]], combine: Combine = "product") -> list[dict]:
    """Every point of the grid as a mapping of overrides, in a stable order.

    The product varies the last path fastest; ``"list"`` zips lists of equal length.
    """
    if not grid:
        raise DesignError("the grid is empty: give at least one --grid PATH=VALUES")
    paths = list(grid)
    columns = [list(grid[p]) for p in paths]
    for p, col in zip(paths, columns, strict=True):
        if not col:
            raise DesignError(f"the grid has no values for {p}")
    if combine == "list":
        lengths = {p: len(c) for p, c in zip(paths, columns, strict=True)}
        if len(set(lengths.values())) > 1:
            sizes = ", ".join(f"{p}: {n}" for p, n in lengths.items())
            raise DesignError(f"--design list needs lists of equal length, got {sizes}")
        rows = list(zip(*columns, strict=True))
    elif combine == "product":
        count = 1
        for col in columns:
            count *= len(col)
        if count > MAX_POINTS:
            raise DesignError(f"the grid has {count:,} points; at most {MAX_POINTS:,}")
        rows = list(itertools.product(*columns))
    else:
        raise DesignError(f"combine must be 'product' or 'list', got {combine!r}")
    points = [dict(zip(paths, row, strict=True)) for row in rows]
    keys = [point_key(p) for p in points]
    if len(set(keys)) != len(keys):
        raise DesignError("the grid has the same point more than once; remove repeated values")
    return points


def short_paths(paths: Sequence[str], depth: int = 2) -> dict[str, str]:
    """Each dotted path shortened to its last *depth* parts, or more when ambiguous."""
    short = {}
    for p in paths:
        parts = p.split(".")
        for d in range(min(depth, len(parts)), len(parts) + 1):
            tail = ".".join(parts[-d:])
            if sum(".".join(q.split(".")[-d:]) == tail for q in paths) == 1:
                break
        short[p] = tail
    return short


def point_label(factors: Mapping[str, Any]) -> str:
    """A short label such as ``phone.agents=24, chat.agents=8``.

    Each path is shortened to its last two parts (or more when two would be
    ambiguous among the factors).
    """
    short = short_paths(list(factors))
    return ", ".join(f"{short[p]}={_show(v)}" for p, v in factors.items())


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(_show(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def sweep_points(base: Scenario, overrides: Sequence[Mapping[str, Any]]) -> list[Point]:
    """The points of a sweep: *base* with each mapping of *overrides* applied and validated.

    Raises
    ------
    ScenarioError
        Naming every bad path and value (each once), before anything runs.
    """
    points: list[Point] = []
    problems: dict[tuple[str, str, str], list[ErrorItem]] = {}
    notes: dict[tuple[str, str], ScenarioWarning] = {}
    with warnings.catch_warnings(record=True) as caught:  # already said when the base loaded
        warnings.simplefilter("always", ScenarioWarning)
        with_overrides(base, {})
    known = {_note_key(w.message) for w in caught if isinstance(w.message, ScenarioWarning)}
    for factors in overrides:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ScenarioWarning)
            try:
                scenario = with_overrides(base, factors)
            except ScenarioError as exc:
                for item in exc.items:
                    item = _as_grid_item(item, factors)
                    grid_path = (item.file or "").partition("=")[0]
                    problems.setdefault((grid_path, item.path, item.message), []).append(item)
                continue
        for w in caught:
            if isinstance(w.message, ScenarioWarning):
                if _note_key(w.message) not in known:
                    notes.setdefault(_note_key(w.message), w.message)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        key = point_key(dict(factors))
        points.append(Point(key, point_label(factors), scenario, dict(factors)))
    if problems:
        items = []
        for (grid_path, path, message), found in problems.items():
            first = found[0]
            # The same problem for every value of a path (it does not exist): say it once.
            file = grid_path if len({i.file for i in found}) > 1 else first.file
            items.append(ErrorItem(message, path, file, first.line, first.column))
        raise ScenarioError(items)
    for note in notes.values():
        warnings.warn(note, stacklevel=2)
    return points


def _note_key(note: Warning | str) -> tuple[str, str]:
    item = getattr(note, "item", None)
    return (item.path, item.message) if item is not None else ("", str(note))


def _as_grid_item(item: ErrorItem, factors: Mapping[str, Any]) -> ErrorItem:
    """Say ``--grid PATH=VALUE`` where the loader says ``--set`` for an override."""
    file = item.file
    if file is not None and file.startswith("--set "):
        path = file[len("--set ") :].partition("=")[0]
        if path in factors:
            file = "--grid " + file[len("--set ") :]
    message = item.message.replace("(after --set ", "(after --grid ")
    return ErrorItem(message, item.path, file, item.line, item.column)
