"""Load, override, dump and hash scenarios.

``load_scenario(path, overrides)`` reads a YAML file, merges the files it
``extends:``, applies ``--set PATH=VALUE`` overrides and validates the result.
Every problem becomes a :class:`~ccsim.errors.ScenarioError` whose items name
the file, line, column and field.
"""

from __future__ import annotations

import copy
import hashlib
import json
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ccsim.errors import ErrorItem, ScenarioError, ScenarioWarning
from ccsim.scenario.advice import scenario_warnings
from ccsim.scenario.messages import field_names_at, suggest, to_error_items
from ccsim.scenario.schema import Scenario
from ccsim.scenario.yamlsource import Located, Position, read_yaml

__all__ = [
    "dump_scenario",
    "json_schema",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
    "scenario_hash",
    "with_overrides",
]

#: Fields that label a scenario or set how it is run, not what it models.
RUN_FIELDS = frozenset({"name", "description", "seed", "replications"})


def load_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path
        The YAML file.
    overrides
        ``"PATH=VALUE"`` strings (as given to ``--set``) or a mapping from dotted
        path to value, applied after ``extends:`` and re-validated.

    Returns
    -------
    Scenario
        The validated, immutable scenario.

    Raises
    ------
    ScenarioError
        With every problem found, each naming its file, line, column and field.
    """
    path = Path(path)
    source = _read_with_extends(path, (path.resolve(),))
    _apply_overrides(source, overrides)
    return _validate(source, path.parent)


def scenario_from_dict(data: Mapping[str, Any], base_dir: str | Path | None = None) -> Scenario:
    """Validate a scenario given as a Python mapping (same rules as a file)."""
    source = Located(copy.deepcopy(dict(data)))
    return _validate(source, Path(base_dir) if base_dir is not None else Path.cwd())


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any] | Iterable[str]) -> Scenario:
    """A copy of *scenario* with dotted-path overrides applied and re-validated.

    Examples
    --------
    >>> bigger = with_overrides(sc, {"pools.phone.agents": 14})  # doctest: +SKIP
    """
    source = Located(scenario.model_dump(mode="json", by_alias=True, exclude_none=True))
    _apply_overrides(source, overrides)
    return _validate(source, Path.cwd())


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``"PATH=VALUE"``; the value is read as YAML (``14``, ``5min``, ``[1, 2]``)."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError(
            ErrorItem(
                f"expected PATH=VALUE, e.g. pools.phone.agents=14, got {text!r}", file="--set"
            )
        )
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return path.strip(), value


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML with every default filled in (it loads back to an equal one)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of what the scenario models.

    The hash covers every field that can change results except the run settings
    ``seed`` and ``replications`` and the labels ``name`` and ``description``;
    comments, key order and how values are written (``5min`` or ``300``) do not
    change it.
    """
    data = scenario.model_dump(mode="json", by_alias=True, exclude=set(RUN_FIELDS))
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files, for editors' autocompletion."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ccsim scenario (format v1)"
    # A file that extends another may leave any top-level section to its base.
    schema.pop("required", None)
    schema["properties"]["extends"] = {
        "description": "Scenario file(s) this one builds on, relative to this file.",
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }
    return schema


# --- internals --------------------------------------------------------------------------------


def _validate(source: Located, base_dir: Path) -> Scenario:
    try:
        scenario = Scenario.model_validate(source.data, context={"base_dir": str(base_dir)})
    except ValidationError as exc:
        items = [_mention_overrides(item, source) for item in to_error_items(Scenario, exc, source)]
        raise ScenarioError(items) from None
    for path, message in scenario_warnings(scenario):
        pos = source.position(path, key=True)
        item = ErrorItem(
            message,
            ".".join(map(str, path)),
            None if pos is None else pos.file,
            None if pos is None else pos.line,
            None if pos is None else pos.column,
        )
        warnings.warn(ScenarioWarning(item), stacklevel=3)
    return scenario


def _mention_overrides(item: ErrorItem, source: Located) -> ErrorItem:
    """A check across fields can fail because of a --set on a sibling field: say so."""
    if item.file is not None and item.file.startswith("--set"):
        return item
    parent = tuple(item.path.split("."))[:-1]
    labels = sorted(
        {
            pos.file
            for path, pos in source.values.items()
            if pos.file.startswith("--set")
            and tuple(map(str, path[: len(parent)])) == parent
            and len(path) > len(parent)
        }
    )
    if not labels:
        return item
    return ErrorItem(
        f"{item.message} (after {', '.join(labels)})", item.path, item.file, item.line, item.column
    )


def _merge(base: Located, top: Located) -> Located:
    out = Located(copy.deepcopy(base.data), dict(base.values), dict(base.keys))

    def merge_into(dst: dict[str, Any], src: dict[str, Any], path: tuple[str | int, ...]) -> None:
        for key, value in src.items():
            here = (*path, key)
            if isinstance(value, dict) and isinstance(dst.get(key), dict):
                merge_into(dst[key], value, here)
            else:
                out.forget(here)
                dst[key] = copy.deepcopy(value)

    merge_into(out.data, top.data, ())
    out.values.update(top.values)
    out.keys.update(top.keys)
    return out


def _read_with_extends(path: Path, chain: tuple[Path, ...]) -> Located:
    source = read_yaml(path)
    parents = source.data.pop("extends", None)
    if parents is None:
        return source
    where = source.values.get(("extends",), Position(str(path)))
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise ScenarioError(
            ErrorItem(
                "extends must be a file name or a list of file names",
                "extends",
                where.file,
                where.line,
                where.column,
            )
        )
    source.forget(("extends",))
    merged = Located({})
    for parent in parents:
        parent_path = (path.parent / parent).resolve()
        if parent_path in chain:
            cycle = " -> ".join(p.name for p in (*chain, parent_path))
            raise ScenarioError(
                ErrorItem(
                    f"circular extends: {cycle}", "extends", where.file, where.line, where.column
                )
            )
        if not parent_path.is_file():
            raise ScenarioError(
                ErrorItem(
                    f"cannot extend {parent!r}: no such file ({parent_path})",
                    "extends",
                    where.file,
                    where.line,
                    where.column,
                )
            )
        merged = _merge(merged, _read_with_extends(parent_path, (*chain, parent_path)))
    return _merge(merged, source)


def _split_path(path: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def _walk_to_parent(data: Any, parts: tuple[str | int, ...], label: str) -> Any:
    """The container that holds ``parts[-1]``, creating sections left at their defaults.

    Raises a :class:`ScenarioError` naming the first part of the path that does not
    exist and what exists or is allowed there.
    """
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(map(str, parts[: depth + 1]))
        if isinstance(node, dict):
            allowed = field_names_at(Scenario, parts[:depth])
            if part not in node:
                if allowed is not None and part in allowed:
                    if last:
                        return node
                    node[part] = {}
                else:
                    if allowed is not None:
                        problem = (
                            f"unknown field {part!r}{suggest(str(part), allowed)}; "
                            f"allowed: {', '.join(allowed)}"
                        )
                    else:
                        known = [str(k) for k in node]
                        problem = (
                            f"no entry {part!r}{suggest(str(part), known)}; "
                            f"existing: {', '.join(known) or '(none)'}"
                        )
                    raise ScenarioError(ErrorItem(problem, here, label))
            if last:
                return node
            node = node[part]
            continue
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            if last:
                return node
            node = node[part]
            continue
        raise ScenarioError(ErrorItem(f"{here!r} does not exist in this scenario", here, label))
    return node


def _apply_overrides(source: Located, overrides: Iterable[str] | Mapping[str, Any]) -> None:
    if isinstance(overrides, Mapping):
        triples = [(path, value, f"--set {path}={value}") for path, value in overrides.items()]
    else:
        triples = [(*parse_override(o), f"--set {o.strip()}") for o in overrides]
    for path, value, label in triples:
        parts = _split_path(path)
        parent = _walk_to_parent(source.data, parts, label)
        parent[parts[-1]] = value
        source.forget(parts)
        source.values[parts] = Position(label)
        source.keys[parts] = Position(label)
